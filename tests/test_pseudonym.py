"""Persons keyed by HMAC of their normalised identity, with a key stable across runs."""

import stat

import pytest

from sources.pseudonym import PseudonymKeyError, Pseudonymiser, load_key, normalise_identity

LONG_KEY = "une-cle-de-trente-deux-caracteres-au-moins"


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


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("OBSERVATOIRE_PSEUDO_KEY")
    path = tmp_path / "conf" / "cle"
    monkeypatch.setenv("OBSERVATOIRE_KEY_FILE", str(path))
    return path


def test_key_file_is_created_once_private_and_reused(key_file, capsys):
    first = load_key()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert capsys.readouterr().err == (
        f"Clé de pseudonymisation créée : {key_file}. Sauvegardez-la : la même clé doit servir chaque "
        "année, sinon les comptes de personnes distinctes d'une année à l'autre sont faussés.\n")
    assert load_key() == first and len(first) == 64
    assert capsys.readouterr().err == ""  # said once, when created


def test_environment_key_wins(monkeypatch):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", LONG_KEY)
    assert load_key() == LONG_KEY.encode()


@pytest.mark.parametrize("key, said", [("k", "trop courte : 1 caractère(s)"), ("", "vide : 0 caractère(s)"),
                                       ("x" * 31, "trop courte : 31 caractère(s)")])
def test_a_short_or_empty_environment_key_is_refused(monkeypatch, key, said):
    monkeypatch.setenv("OBSERVATOIRE_PSEUDO_KEY", key)
    with pytest.raises(PseudonymKeyError) as refused:
        load_key()
    assert str(refused.value) == (
        f"La clé de pseudonymisation (OBSERVATOIRE_PSEUDO_KEY) est {said}, il en faut au moins 32. "
        "Une clé courte se retrouve en essayant des clés. Utilisez la clé sauvegardée des années précédentes.")


def test_an_empty_key_file_is_refused(key_file):
    key_file.parent.mkdir()
    key_file.write_text("\n")
    key_file.chmod(0o600)
    with pytest.raises(PseudonymKeyError, match=r"^La clé de pseudonymisation \(.*cle\) est vide"):
        load_key()


def test_a_key_file_readable_by_others_is_refused(key_file):
    load_key()
    key_file.chmod(0o644)
    with pytest.raises(PseudonymKeyError) as refused:
        load_key()
    assert str(refused.value) == (
        f"Le fichier de clé {key_file} est lisible par d'autres utilisateurs que son propriétaire : la clé "
        f"n'est pas utilisée. Corrigez ses droits (chmod 600 {key_file}) puis relancez.")
    key_file.chmod(0o640)  # the group is "others" too
    with pytest.raises(PseudonymKeyError):
        load_key()
