"""Schemas of the follow-up of the Convention Territoriale Globale (CTG): its reference inputs
(warehouse/ref/ctg_*.csv, checked by the blocking checks of assets/petite_enfance.py) and
indicateurs.ctg_suivi and ctg_synthese. Files and codes: docs/petite_enfance_ctg.md.
"""

import pandas as pd
import pandera.pandas as pa

from schemas import year
from schemas.declared import declared_schema
from schemas.petite_enfance import coded, text
from warehouse.reference import read_ref

CONVENTION = r"^\d{4}-\d{4}$"
PERIOD = r"^\d{4}(-\d{4})?$"


def _convention() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(CONVENTION, error="convention AAAA-AAAA attendue"))


def _period() -> pa.Column:
    return pa.Column(str, pa.Check.str_matches(PERIOD, error="periode AAAA ou AAAA-AAAA attendue"))


def _pairs(frame, first: str, second: str):
    return frame[first] + "|" + frame[second]


def _known(table: str, first: str, second: str) -> set[str]:
    return {f"{row[first]}|{row[second]}" for row in read_ref(table)}


def _actions_of_conventions() -> dict[str, set[str]]:
    actions: dict[str, set[str]] = {}
    for row in read_ref("ctg_actions"):
        actions.setdefault(row["convention"], set()).add(row["code_action"])
    return actions


def _code_starts_with_its_axis(frame):
    return pd.Series([code.startswith(f"{axe}.") for code, axe in zip(frame["code_action"], frame["axe"])],
                     index=frame.index, dtype=bool)


def _period_ends_in_its_year(frame):
    return frame["periode"].str[-4:] == frame["annee"].astype(str)


def _year_within_convention(frame):
    first = pd.to_numeric(frame["convention"].str[:4], errors="coerce")
    last = pd.to_numeric(frame["convention"].str[-4:], errors="coerce")
    return ((frame["annee"] >= first) & (frame["annee"] <= last)).fillna(False)


def _every_action_followed(frame):
    """Each follow-up (convention, annee) lists every action of its convention, so that the
    shares of ctg_synthese are over the whole convention."""
    actions = _actions_of_conventions()
    followed = frame.groupby(["convention", "annee"])["code_action"].agg(set)
    return all(codes == actions.get(convention, set()) for (convention, _), codes in followed.items())


RefCtgNomenclature = pa.DataFrameSchema(
    {"variable": pa.Column(str, pa.Check.isin(["realisation", "objectif", "source_statut"])),
     "code": text(), "libelle": text()},
    unique=["variable", "code"],
    strict=True,
    name="ref.ctg_nomenclature",
)

RefCtgAxes = pa.DataFrameSchema(
    {"convention": _convention(), "axe": text(), "libelle": text()},
    unique=["convention", "axe"],
    strict=True,
    name="ref.ctg_axes",
)

RefCtgActions = pa.DataFrameSchema(
    {"convention": _convention(), "axe": text(),
     "code_action": text(), "libelle": text()},
    checks=[
        pa.Check(lambda f: _pairs(f, "convention", "axe").isin(_known("ctg_axes", "convention", "axe")),
                 error="axe absent de ctg_axes.csv pour cette convention"),
        pa.Check(_code_starts_with_its_axis,
                 error="code_action doit commencer par le numéro de l'axe suivi d'un point"),
    ],
    unique=["convention", "code_action"],
    strict=True,
    name="ref.ctg_actions",
)

RefCtgSuivi = pa.DataFrameSchema(
    {
        "convention": _convention(),
        "annee": year(),
        "periode": _period(),
        "code_action": text(),
        "realisation": coded("ctg_nomenclature", "realisation"),
        "objectif": coded("ctg_nomenclature", "objectif", nullable=True),
        "source_statut": coded("ctg_nomenclature", "source_statut"),
        "remarque": pa.Column(str, nullable=True),
    },
    checks=[
        pa.Check(lambda f: _pairs(f, "convention", "code_action").isin(
            _known("ctg_actions", "convention", "code_action")),
            error="action absente de ctg_actions.csv pour cette convention"),
        pa.Check(_period_ends_in_its_year, error="la periode doit finir l'annee du suivi"),
        pa.Check(_year_within_convention, error="annee hors des années de la convention"),
        pa.Check(_every_action_followed,
                 error="suivi incomplet : chaque suivi (convention, annee) liste toutes les actions "
                 "de la convention dans ctg_actions.csv"),
    ],
    unique=["annee", "code_action"],
    strict=True,
    name="ref.ctg_suivi",
)

# The indicator tables: their declaration (warehouse/indicateurs/ctg.yaml), and for the
# synthesis the rule below.


def _statuses_add_up(frame):
    statuses = frame["nb_realisees"] + frame["nb_partielles"] + frame["nb_non_realisees"]
    return frame["nb_actions"] == statuses


CtgSynthese = declared_schema("indicateurs.ctg_synthese", checks=[
    pa.Check(_statuses_add_up, error="nb_actions n'est pas la somme des trois statuts")])
