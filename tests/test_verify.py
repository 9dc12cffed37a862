"""``observatoire verifier`` (issue 21): a corrected re-export is judged in a scratch build; the
published warehouse, exports and report stay byte-identical."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import TEST_KEY, copy_published_demo, write_csv

pytestmark = pytest.mark.refreshes(1)  # the demo, changed

FS_FILE = Path("france_services") / "Limogne" / "France Services Limogne-en-Quercy 2021-2022.csv"


def correct(source: Path, target: Path) -> Path:
    """The counter re-exported: CAF in May 2022 becomes 99, MSA in May 2022 is typed in letters."""
    lines = source.read_bytes().decode("cp1252").splitlines(keepends=True)
    fixed = {"CAF": "99", "MSA": "douze"}
    out = []
    for line in lines:
        fields = line.rstrip("\r\n").split(";")
        if fields[1:3] == ["2022", "mai"] and fields[3] in fixed:
            line = ";".join([*fields[:4], fixed[fields[3]]]) + line[len(line.rstrip("\r\n")):]
        out.append(line)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes("".join(out).encode("cp1252"))
    return target


def fingerprints(base: Path) -> dict[str, str]:
    published = [base / "observatoire.duckdb", *sorted((base / "exports").rglob("*")),
                 *sorted((base / "rapport").rglob("*"))]
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in published if p.is_file()}


@pytest.fixture(scope="module")
def verified(tmp_path_factory, demo_run):
    from pipelines.cli import main

    base = tmp_path_factory.mktemp("verifier")
    copy_published_demo(demo_run, base)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OBSERVATOIRE_PSEUDO_KEY", TEST_KEY)
        before = fingerprints(base)
        corrected = correct(base / "raw" / FS_FILE, base / "corrige" / FS_FILE.name)
        import io
        from contextlib import redirect_stdout

        out = io.StringIO()
        with redirect_stdout(out):
            code = main(["verifier", "--raw-dir", str(base / "raw"), "--warehouse",
                         str(base / "observatoire.duckdb"), str(corrected)])
    return base, before, code, out.getvalue()


def test_verifier_prints_the_file_and_the_changes(verified):
    _, _, code, out = verified
    assert code == 1  # a row would be quarantined
    lines = out.splitlines()
    assert any(line.endswith("(france_services, Limogne/France Services Limogne-en-Quercy 2021-2022.csv) : "
                             "157 ligne(s) lue(s), 155 chargée(s), 2 en quarantaine, 0 en double") for line in lines)
    assert "  ligne 65 : Demandes : nombre entier illisible : douze" in lines
    start = lines.index("Cellules d'indicateurs qui changeraient : 3")
    assert lines[start + 1:start + 4] == [
        "  indicateurs.france_services_mensuel [structure_id=fs_limogne, annee=2022, mois=5, operateur_id=caf] "
        "demandes : 15 → 99",
        "  indicateurs.france_services_mensuel [structure_id=fs_limogne, annee=2022, mois=5, operateur_id=msa] "
        "demandes : 5 → —",
        "  indicateurs.france_services_annuel [structure_id=fs_limogne, annee=2022] demandes : 486 → 565",
    ]
    assert "Rapprochements dont le statut changerait : 0" in lines


def test_published_files_are_byte_identical(verified):
    base, before, _, _ = verified
    assert fingerprints(base) == before
    assert not list(base.glob("*.construction-*")) and not (base / "observatoire.duckdb.echec").exists()


def test_a_file_no_source_reads_is_refused(tmp_path, capsys):
    from pipelines.cli import main

    odd = write_csv(tmp_path / "liste.csv", [["Colonne A", "Colonne B"], ["1", "2"]])
    code = main(["verifier", "--raw-dir", str(tmp_path / "depot"), "--warehouse", str(tmp_path / "w.duckdb"),
                 str(odd)])
    assert code == 2
    assert "source inconnue" in capsys.readouterr().out
