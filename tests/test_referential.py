"""Free-text communes and structure labels resolved through the reference data: the territory's
own spellings and the national commune reference (warehouse/national/)."""

import pytest

from sources.referential import build_national, resolve_commune, structure_parser, typo_warning
from warehouse import worker
from warehouse.national import read_national


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


@pytest.mark.parametrize("raw, code", [
    # the one commune of that name in a département next to the Lot (46): Grisolles is also in
    # the Aisne (02), Murat in the Allier (03), Saint-Aubin in nine départements far away
    ("Grisolles", "82075"), ("Murat", "15138"), ("Saint-Aubin", "47230"),
    # a postcode or a département written with the name still comes first
    ("Grisolles (02)", "02356"), ("03390 Murat", "03191"),
])
def test_a_homonym_in_one_neighbouring_departement_is_that_one(raw, code):
    assert resolve_commune(raw) == (code, None)
    assert typo_warning(raw) is None


@pytest.mark.parametrize("raw", [
    "Saint-Cirq",  # in the Dordogne (24) and the Tarn-et-Garonne (82), both next to the Lot
    "Tayrac",  # in the Aveyron (12) and the Lot-et-Garonne (47)
    "Saint-Denis",  # nowhere near
])
def test_a_homonym_in_several_or_no_neighbouring_departements_is_inconnue(raw):
    assert resolve_commune(raw) == ("INCONNUE", None)
    assert "commune homonyme" in typo_warning(raw)


def test_neighbouring_departements_are_a_symmetric_relation():
    pairs = {(row["departement"], row["departement_voisin"]) for row in read_national("departements_voisins")}
    assert {b for a, b in pairs if a == "46"} == {"12", "15", "19", "24", "47", "82"}
    assert {b for a, b in pairs if a == "2A"} == {"2B"}
    assert all((b, a) in pairs for a, b in pairs) and all(a != b for a, b in pairs)
    departements = {a for a, _ in pairs}
    assert len(departements) == 96 and not any(d.startswith("97") for d in departements)


@pytest.mark.parametrize("raw", ["Autre commune", "AUTRE COMMUNE", "Hors CC", "hors territoire",
                                 "Extérieur", "Exterieur"])
def test_a_commune_outside_the_territory_left_unnamed_is_hors_cc(raw):
    assert resolve_commune(raw) == ("HORS_CC", None)
    assert typo_warning(raw) is None


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


def test_the_worker_process_builds_the_same_national_indexes(monkeypatch):
    """A refresh has its worker process build the indexes while it starts (assets/background.py)."""
    monkeypatch.setattr(worker, "_pool", None)
    assert worker.start()
    try:
        built = worker.submit(build_national)
        assert worker.processes() and built() == build_national()
    finally:
        worker.stop()
