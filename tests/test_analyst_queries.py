"""The README's analyst entry points run against the demo warehouse: the ten example queries
and the Python snippet, read-only."""

import importlib.util
import re
import textwrap
from pathlib import Path

import duckdb
import pytest

pytestmark = pytest.mark.refreshes(1)  # the session's demo refresh, when it is the first to ask

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


QUERIES = readme_blocks("sql")


@pytest.fixture(scope="module")
def warehouse(demo_run):
    _, outcome, path = demo_run
    assert outcome.published
    with duckdb.connect(str(path), read_only=True) as con:
        yield con


def test_the_readme_shows_ten_numbered_queries():
    assert [int(re.match(r"-- (\d+)\. ", q).group(1)) for q in QUERIES] == list(range(1, 11))


@pytest.mark.parametrize("query", QUERIES, ids=[q.splitlines()[0][3:40] for q in QUERIES])
def test_each_example_query_answers_on_the_demo_warehouse(warehouse, query):
    rows = warehouse.execute(query).fetchall()
    assert rows and all(any(value is not None for value in row) for row in rows)


def test_the_first_query_gives_the_published_hours(warehouse):
    answer = warehouse.execute(QUERIES[0]).fetchall()
    published = warehouse.execute("SELECT count(*), sum(heures_enfants) FROM public.alsh_annuel").fetchone()
    assert (len(answer), sum(row[2] or 0 for row in answer)) == published


def test_the_python_snippet_opens_the_warehouse_read_only(demo_run, capsys):
    _, _, path = demo_run
    (snippet,) = [textwrap.dedent(block) for block in readme_blocks("python") if "read_only=True" in block]
    if importlib.util.find_spec("polars") is None:  # polars is optional
        snippet = "\n".join(line for line in snippet.splitlines() if ".pl()" not in line)
    scope: dict = {}
    exec(snippet.replace("warehouse/observatoire.duckdb", str(path)), scope)  # noqa: S102
    assert list(scope["heures"].columns)[:3] == ["structure_id", "annee", "heures_enfants"]
    assert "heures_enfants" in capsys.readouterr().out
