"""Persons keyed by HMAC of their normalised identity, with a key stable across runs."""

import stat

from sources.pseudonym import Pseudonymiser, load_key, normalise_identity


def test_spellings_of_one_person_give_one_key():
    pseudo = Pseudonymiser(b"k")
    one = pseudo.hash_parts(("Dupont-Martin", "Léa", "2015-06-05"))
    assert pseudo.hash_parts(("DUPONT  MARTIN", "LEA", "2015-06-05")) == one
    assert pseudo.hash_parts(("d'Artagnan", "Zoé", "2015-06-05")) != one
    assert normalise_identity("  Léa  Dupont-Martin ") == "LEA DUPONT MARTIN"
    assert normalise_identity("N’Diaye Cœur") == "N DIAYE COEUR"


def test_another_key_gives_other_keys():
    parts = ("Dupont", "Léa", "2015-06-05")
    assert Pseudonymiser(b"a").hash_parts(parts) != Pseudonymiser(b"b").hash_parts(parts)
    assert len(Pseudonymiser(b"a").hash_parts(parts)) == 32


def test_all_blank_parts_give_no_key():
    assert Pseudonymiser(b"k").hash_parts(("", "")) is None


def test_key_file_is_created_once_private_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("OBSERVATOIRE_PSEUDO_KEY")
    key_file = tmp_path / "conf" / "cle"
    monkeypatch.setenv("OBSERVATOIRE_KEY_FILE", str(key_file))
    first = load_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_key() == first and len(first) == 64


def test_environment_key_wins(monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", "secret")
    assert load_key() == b"secret"
