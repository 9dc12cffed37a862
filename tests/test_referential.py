"""Free-text communes and structure labels resolved through the reference data."""

import pytest

from sources.referential import resolve_commune, structure_parser


@pytest.mark.parametrize("raw, code", [
    ("Lalbenque", "46148"), ("LALBENQUE ", "46148"), ("Limogne", "46173"),
    ("LIMOGNE EN QUERCY", "46173"), ("Limogne-en-Quercy", "46173"), ("Flaujac-Pujols", "46105"),
    ("Belmont St Foi", "46026"), ("St Martin Labouval", "46276"), ("Vaire", "46328"),
    ("Cénevières", "46068"), ("Belfort de Quercy", "46023"),
    ("Fontanes", "HORS_CC"), ("Cieurac", "HORS_CC"), ("Pern-Lhospitalet", "HORS_CC"),
    ("Toulouse", "HORS_CC"), ("", "INCONNUE"), ("  ", "INCONNUE"), ("-", "INCONNUE"), ("46230", "INCONNUE"),
])
def test_communes(raw, code):
    assert resolve_commune(raw) == (code, None)


@pytest.mark.parametrize("raw, structure", [
    ("ALSH Lalbenque", "alsh_lalbenque"), ("accueil de loisirs lalbenque", "alsh_lalbenque"),
    ("ALSH Limogne", "alsh_limogne"), ("RDVJ", "rdvj"), ("Rendez-vous Jeunes", "rdvj"),
    ("ALSH 12-17 ans", "rdvj"),
])
def test_structures(raw, structure):
    assert structure_parser("pocketo")(raw) == (structure, None)


def test_unknown_structure_says_which():
    assert structure_parser("pocketo")("ALSH Cahors") == (None, "structure inconnue : ALSH Cahors")
