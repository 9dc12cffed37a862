"""The yearly collection campaign: ``qualite.campagne``, what each source sent and what is missing.

For every year the warehouse covers (from the first year with data to the latest), one row per
year × source × structure with ``mois`` NULL, and for a monthly source (warehouse/campagne.yaml)
one more row per month: what was expected (ref.structures of the source's service, within the
collection period of ref.structures_collecte; a month after today is never expected), what was
received (files, rows loaded, first and last date, newest file), and a status: ``reçu``,
``partiel`` (a monthly source with months missing, listed in ``mois_manquants``), ``manquant``,
``inattendu`` (rows for a structure not expected that year). ``public.campagne`` is the same
table (it holds no file name and nothing personal): the report reads it.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import duckdb

from warehouse import PACKAGE_DIR, read_yaml
from warehouse.db import read_sql, sql_text, transaction
from warehouse.names import qualified_table

CONFIG_PATH = PACKAGE_DIR / "campagne.yaml"
RECU, PARTIEL, MANQUANT, INATTENDU = "reçu", "partiel", "manquant", "inattendu"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
NO_STRUCTURE = ""  # the join key of a source without structure (NULL in the table)

DDL = """
CREATE OR REPLACE TABLE qualite.campagne (
    annee INTEGER NOT NULL,
    source VARCHAR NOT NULL,
    structure_id VARCHAR,
    mois INTEGER,
    attendu BOOLEAN NOT NULL,
    statut VARCHAR NOT NULL,
    mois_manquants VARCHAR,
    fichiers INTEGER NOT NULL,
    lignes BIGINT NOT NULL,
    premiere_date DATE,
    derniere_date DATE,
    dernier_fichier DATE
)"""

MEASURES = ("fichiers", "lignes", "premiere_date", "derniere_date", "dernier_fichier")


@cache
def config() -> dict:
    return read_yaml(CONFIG_PATH)


def sources() -> dict[str, dict]:
    return config()["sources"]


def staging_table(name: str) -> str:
    """The staging table of a source of the campaign."""
    return qualified_table("stg", name, sources()[name]["table"])


def _facts_sql(name: str, source: dict) -> str:
    """One row per staged row of the source: its structure, year, month, first and last day, file."""
    structure = "structure_id" if source.get("service") else sql_text(NO_STRUCTURE)
    if "date" in source:
        day = source["date"]
        year, month, first, last = f"year({day})", f"month({day})", day, day
    else:
        year, month = source["annee"], source["mois"]
        first = f"make_date({year}, {month}, 1)"
        last = f"last_day({first})"
    return (f"SELECT {sql_text(name)} AS source, {structure} AS structure_id, CAST({year} AS INTEGER) AS annee, "
            f"CAST({month} AS INTEGER) AS mois, CAST({first} AS DATE) AS jour_debut, "
            f"CAST({last} AS DATE) AS jour_fin, fichier_nom FROM {staging_table(name)}")


def _sources_sql() -> str:
    rows = [f"({sql_text(name)}, {sql_text(s['service']) if s.get('service') else 'NULL'}, "
            f"{'TRUE' if s.get('mensuel') else 'FALSE'})" for name, s in sources().items()]
    return f"SELECT * FROM (VALUES {', '.join(rows)}) AS s(source, service, mensuel)"


def _received_sql(grain: str) -> str:
    return f"""
        SELECT f.source, f.structure_id, f.annee{grain}, count(DISTINCT f.fichier_nom) AS fichiers,
               count(*) AS lignes, min(f.jour_debut) AS premiere_date, max(f.jour_fin) AS derniere_date,
               CAST(max(j.modifie_le) AS DATE) AS dernier_fichier
        FROM faits f LEFT JOIN qualite.journal_chargement j
            ON j.source = f.source AND j.fichier_nom = f.fichier_nom
        WHERE f.annee IS NOT NULL GROUP BY ALL"""


def _outer(expected: str, received: str, keys: list[str]) -> str:
    """Expected rows FULL JOIN received rows on the keys, with the keys coalesced."""
    on = " AND ".join(f"e.{k} = r.{k}" for k in keys)
    return (f"SELECT {', '.join(f'coalesce(e.{k}, r.{k}) AS {k}' for k in keys)}, "
            f"e.source IS NOT NULL AS attendu, r.source IS NOT NULL AS recu, "
            f"coalesce(r.fichiers, 0) AS fichiers, coalesce(r.lignes, 0) AS lignes, "
            f"r.premiere_date, r.derniere_date, r.dernier_fichier "
            f"FROM {expected} e FULL JOIN ({received}) r ON {on}")


def campaign_sql(today: dt.date) -> str:
    facts = " UNION ALL ".join(_facts_sql(name, source) for name, source in sources().items())
    within = ("(c.structure_id IS NULL OR ({y}.annee * 100 + {m} >= c.annee_debut * 100 + {start} AND "
              "(c.annee_fin IS NULL OR {y}.annee * 100 + {m} <= c.annee_fin * 100 + coalesce(c.mois_fin, 12))))")
    year_keys, month_keys = ["source", "structure_id", "annee"], ["source", "structure_id", "annee", "mois"]
    measures = ", ".join(MEASURES)
    return f"""
    WITH faits AS ({facts}),
    sources AS ({_sources_sql()}),
    annees AS (SELECT CAST(range AS INTEGER) AS annee FROM range(
        (SELECT min(annee) FROM faits), (SELECT max(annee) FROM faits) + 1)),
    candidats AS (
        SELECT s.source, st.structure_id, a.annee
        FROM sources s JOIN ref.structures st ON st.service = s.service CROSS JOIN annees a
        LEFT JOIN ref.structures_collecte c ON c.structure_id = st.structure_id
        WHERE {within.format(y='a', m=12, start=1)}
        UNION ALL
        SELECT s.source, {sql_text(NO_STRUCTURE)}, a.annee FROM sources s CROSS JOIN annees a
        WHERE s.service IS NULL),
    attendus_mois AS (
        SELECT e.source, e.structure_id, e.annee, CAST(m.range AS INTEGER) AS mois
        FROM candidats e JOIN sources s USING (source) CROSS JOIN range(1, 13) m
        LEFT JOIN ref.structures_collecte c ON c.structure_id = e.structure_id
        WHERE s.mensuel AND make_date(e.annee, CAST(m.range AS INTEGER), 1) <= DATE '{today.isoformat()}'
          AND {within.format(y='e', m='m.range', start='c.mois_debut')}),
    attendus_annee AS (  -- a monthly source is expected in a year when one of its months is
        SELECT c.* FROM candidats c JOIN sources s USING (source) WHERE NOT s.mensuel
        UNION ALL SELECT DISTINCT source, structure_id, annee FROM attendus_mois),
    recus_mois AS ({_received_sql(", f.mois")} ),
    lignes_mois AS (
        {_outer("attendus_mois", "SELECT r.* FROM recus_mois r JOIN sources s USING (source) WHERE s.mensuel",
                month_keys)}),
    manques AS (
        SELECT source, structure_id, annee, string_agg(CAST(mois AS VARCHAR), ', ' ORDER BY mois) AS mois_manquants
        FROM lignes_mois WHERE attendu AND NOT recu GROUP BY ALL),
    lignes_annee AS ({_outer("attendus_annee", _received_sql(""), year_keys)})
    SELECT y.annee, y.source, nullif(y.structure_id, '') AS structure_id, CAST(NULL AS INTEGER) AS mois,
           y.attendu,
           CASE WHEN NOT y.attendu THEN '{INATTENDU}' WHEN NOT y.recu THEN '{MANQUANT}'
                WHEN m.mois_manquants IS NOT NULL THEN '{PARTIEL}' ELSE '{RECU}' END AS statut,
           CASE WHEN y.attendu AND y.recu THEN m.mois_manquants END AS mois_manquants, {measures}
    FROM lignes_annee y LEFT JOIN manques m USING (source, structure_id, annee)
    UNION ALL
    SELECT annee, source, nullif(structure_id, ''), mois, attendu,
           CASE WHEN NOT attendu THEN '{INATTENDU}' WHEN NOT recu THEN '{MANQUANT}' ELSE '{RECU}' END,
           NULL, {measures}
    FROM lignes_mois"""


def build_campaign(con: duckdb.DuckDBPyConnection, today: dt.date | None = None) -> dict[str, int]:
    """(Re)write qualite.campagne and public.campagne; returns the count of rows per status."""
    with transaction(con):
        # a partial run on a warehouse published before this table existed: every structure expected
        con.execute(read_sql("ref/campagne").replace("CREATE OR REPLACE TABLE", "CREATE TABLE IF NOT EXISTS"))
        con.execute(DDL)
        con.execute(f"INSERT INTO qualite.campagne BY NAME {campaign_sql(today or dt.date.today())}")
        con.execute("CREATE SCHEMA IF NOT EXISTS public")
        con.execute("CREATE OR REPLACE TABLE public.campagne AS SELECT * FROM qualite.campagne "
                    "ORDER BY annee, source, structure_id, mois NULLS FIRST")
    return dict(con.execute("SELECT statut, count(*) FROM qualite.campagne GROUP BY ALL").fetchall())


def latest_year(con: duckdb.DuckDBPyConnection, schema: str = "qualite") -> int | None:
    """The latest year with rows received."""
    return con.execute(f"SELECT max(annee) FROM {schema}.campagne WHERE lignes > 0").fetchone()[0]


def month_names(months: str | None) -> str:
    """'3, 4' -> 'mars, avril'."""
    return ", ".join(MONTHS[int(m) - 1] for m in (months or "").split(", ") if m)


def year_rows(con: duckdb.DuckDBPyConnection, year: int, schema: str = "qualite") -> list[dict]:
    """The year's rows (one per source and structure), by source in the configured order, then
    by status (missing first), then by structure name."""
    order = config()["ordre_statuts"]
    rows = con.execute(f"""
        SELECT c.*, coalesce(s.libelle, '') AS structure_libelle
        FROM {schema}.campagne c LEFT JOIN ref.structures s USING (structure_id)
        WHERE c.annee = ? AND c.mois IS NULL""", [year]).fetchall()
    columns = [d[0] for d in con.description]
    records = [dict(zip(columns, row)) for row in rows]
    names = list(sources())
    return sorted(records, key=lambda r: (names.index(r["source"]) if r["source"] in names else len(names),
                                          order.index(r["statut"]), r["structure_libelle"]))


def french_date(day: dt.date | dt.datetime | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"


def describe(row: dict) -> str:
    """What a row of the checklist says after its status, in French."""
    if row["statut"] == MANQUANT:
        return "aucun fichier reçu"
    text = ""
    if row["statut"] == PARTIEL:
        text = f"mois manquants : {month_names(row['mois_manquants'])} ; "
    if row["statut"] == INATTENDU:
        text = "structure non attendue cette année (voir ref.structures_collecte) ; "
    lines = f"{row['lignes']:,}".replace(",", "\u202f")
    return (text + f"{row['fichiers']} fichier(s), {lines} ligne(s) chargée(s)"
            + f", du {french_date(row['premiere_date'])} au {french_date(row['derniere_date'])}, "
            f"fichier le plus récent modifié le {french_date(row['dernier_fichier'])}")


def checklist(con: duckdb.DuckDBPyConnection, year: int | None = None) -> str:
    """One year's checklist, in French, grouped by service, missing first."""
    year = year or latest_year(con)
    lines = [f"Campagne de collecte {year} : ce qui est reçu, partiel, manquant"]
    current = None
    rows = year_rows(con, year)
    for row in rows:
        if row["source"] != current:
            current = row["source"]
            lines.append(f"\n{sources().get(current, {}).get('libelle', current)}")
        name = row["structure_libelle"] or "registre intercommunal"
        lines.append(f"  {row['statut'].upper():<10} {name} : {describe(row)}")
    counts = {status: sum(1 for r in rows if r["statut"] == status) for status in config()["ordre_statuts"]}
    lines.append("\nBilan : " + ", ".join(f"{n} {status}" for status, n in counts.items()))
    return "\n".join(lines)


def years(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [y for (y,) in con.execute("SELECT DISTINCT annee FROM qualite.campagne ORDER BY 1").fetchall()]
