"""Asset names and table names, one from the other (warehouse/names.py)."""

import pytest

from warehouse.names import asset_name, parts, qualified_table, ref_asset, table_of


@pytest.mark.parametrize("layer, source, table, asset, qualified", [
    ("ref", None, "communes", "ref__communes", "ref.communes"),
    ("raw", "pocketo", "presences", "raw_pocketo__presences", "raw.pocketo__presences"),
    ("stg", "pocketo", "presences", "stg_pocketo__presences", "staging.pocketo__presences"),
    ("int", "alsh", "enfants_annee", "int_alsh__enfants_annee", "staging.alsh__enfants_annee"),
    ("ind", "aide_alimentaire", "annuel", "ind_aide_alimentaire__annuel", "indicateurs.aide_alimentaire_annuel"),
])
def test_an_asset_names_its_table_and_back(layer, source, table, asset, qualified):
    assert asset_name(layer, source, table) == asset
    assert parts(asset) == (layer, source, table)
    assert table_of(asset) == qualified == qualified_table(layer, source, table)


def test_a_reference_asset_from_its_table():
    assert ref_asset("ref.communes") == ref_asset("communes") == "ref__communes"


@pytest.mark.parametrize("asset", ["catalogue", "foo_bar__baz", "ind_alsh", "raw__x"])
def test_a_name_outside_the_convention_is_refused(asset):
    with pytest.raises(ValueError):
        parts(asset)
