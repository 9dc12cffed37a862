"""Free-text communes and structure labels resolved through the reference data: the territory's
own spellings and the national commune reference (warehouse/national/)."""

import pytest

from sources.referential import resolve_commune, structure_parser, typo_warning


@pytest.mark.parametrize("raw, code", [
    ("Lalbenque", "46148"), ("LALBENQUE ", "46148"), ("Limogne", "46173"),
    ("LIMOGNE EN QUERCY", "46173"), ("Limogne-en-Quercy", "46173"), ("Flaujac-Pujols", "46105"),
    ("Belmont St Foi", "46026"), ("St Martin Labouval", "46276"), ("Vaire", "46328"),
    ("Cénevières", "46068"), ("Belfort de Quercy", "46023"),
    # outside the territory: the current INSEE code of any French commune
    ("Fontanes", "46109"), ("Cieurac", "46070"), ("Pern-Lhospitalet", "46172"),
    ("Toulouse", "31555"), ("", "INCONNUE"), ("  ", "INCONNUE"), ("-", "INCONNUE"),
    ("46230", "INCONNUE"),  # a postcode alone: many communes
])
def test_communes(raw, code):
    assert resolve_commune(raw) == (code, None)


@pytest.mark.parametrize("raw, code", [
    # a name in any case, with or without accents, St for Saint, hyphens or spaces
    ("cahors", "46042"), ("SAINT-CIRQ-LAPOPIE", "46256"), ("St Cirq Lapopie", "46256"),
    ("Saint Géry Vers", "46268"), ("saint gery-vers", "46268"),
    # a name with its postcode or its département
    ("46230 Lalbenque", "46148"), ("Lalbenque 46230", "46148"), ("Lalbenque (46)", "46148"),
    ("Saint-Denis 93200", "93066"), ("Saint-Denis (974)", "97411"), ("93200 St Denis", "93066"),
    # an INSEE code, current or of a merged commune
    ("46148", "46148"), ("31555", "31555"), ("46019", "46138"),
    # a commune déléguée or associée: its commune nouvelle
    ("Beaumat", "46138"), ("Labastide-Murat", "46138"), ("Cordieux", "01262"),
    # homonyms: the territory's département first
    ("Fontanes", "46109"),
])
def test_communes_anywhere_in_france(raw, code):
    assert resolve_commune(raw) == (code, None)


def test_an_ambiguous_homonym_is_inconnue_with_its_reason():
    assert resolve_commune("Saint-Denis") == ("INCONNUE", None)
    assert "commune homonyme" in typo_warning("Saint-Denis")
    assert typo_warning("Saint-Denis 93200") is None


@pytest.mark.parametrize("raw, structure", [
    ("ALSH Lalbenque", "alsh_lalbenque"), ("accueil de loisirs lalbenque", "alsh_lalbenque"),
    ("ALSH Limogne", "alsh_limogne"), ("RDVJ", "rdvj"), ("Rendez-vous Jeunes", "rdvj"),
    ("ALSH 12-17 ans", "rdvj"),
])
def test_structures(raw, structure):
    assert structure_parser("pocketo")(raw) == (structure, None)


def test_unknown_structure_says_which():
    assert structure_parser("pocketo")("ALSH Cahors") == (None, "structure inconnue : ALSH Cahors")
