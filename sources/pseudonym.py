"""Keyed hashing of persons (HMAC-SHA256 of the normalised identity).

The key comes from ``OBSERVATOIRE_PSEUDO_KEY``, else from a key file (``OBSERVATOIRE_KEY_FILE``,
both read by warehouse/settings.py when the key is loaded) created
once with mode 0600 and reused every year: a new key would make every person
new and break distinct counts across years. A key shorter than 32 characters
(or empty), or a key file others can read, is refused.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import stat
import sys
import unicodedata
from functools import lru_cache
from pathlib import Path

from warehouse import settings

MIN_KEY_LENGTH = 32  # a shorter key could be found by trying keys on a known person's hash


class PseudonymKeyError(ValueError):
    """The key cannot be used; the message says why and what to do, in French."""


def _checked(key: str, origin: str) -> bytes:
    if len(key) < MIN_KEY_LENGTH:
        raise PseudonymKeyError(
            f"La clé de pseudonymisation ({origin}) est {'vide' if not key else 'trop courte'} : "
            f"{len(key)} caractère(s), il en faut au moins {MIN_KEY_LENGTH}. Une clé courte se retrouve "
            "en essayant des clés. Utilisez la clé sauvegardée des années précédentes.")
    return key.encode("utf-8")


def _create(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secrets.token_hex(32))
    print(f"Clé de pseudonymisation créée : {path}. Sauvegardez-la : la même clé doit servir chaque "
          "année, sinon les comptes de personnes distinctes d'une année à l'autre sont faussés.",
          file=sys.stderr)


def load_key() -> bytes:
    if (key := settings.pseudo_key()) is not None:
        return _checked(key, settings.KEY_VARIABLE)
    path = settings.key_file()
    if not path.exists():
        _create(path)
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        raise PseudonymKeyError(
            f"Le fichier de clé {path} est lisible par d'autres utilisateurs que son propriétaire : "
            f"la clé n'est pas utilisée. Corrigez ses droits (chmod 600 {path}) puis relancez.")
    return _checked(path.read_text(encoding="utf-8").strip(), str(path))


def key_refusal() -> str | None:
    """Why the pseudonymisation key cannot be used (French, for the command line); None when it can."""
    try:
        load_key()
    except PseudonymKeyError as error:
        return str(error)
    return None


@lru_cache(maxsize=1 << 18)
def normalise_identity(text: str) -> str:
    """Upper case, accents stripped, hyphens/apostrophes/repeated spaces folded (cached: a
    name or a date comes back on thousands of rows)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).upper()
    plain = plain.replace("Œ", "OE").replace("Æ", "AE")
    return re.sub(r"[\s\-'’‘`´.]+", " ", plain).strip()


class Pseudonymiser:
    """HMAC-SHA256 (RFC 2104) of identities. The key's inner and outer hash states are
    computed once and copied for each identity: three times faster than ``hmac.new``, and
    millions of rows hold hundreds of thousands of persons."""

    BLOCK = 64  # SHA-256's block size

    def __init__(self, key: bytes):
        if len(key) > self.BLOCK:
            key = hashlib.sha256(key).digest()
        padded = key.ljust(self.BLOCK, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in padded))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in padded))
        self.hash_parts = lru_cache(maxsize=1_000_000)(self._hash_parts)

    def _hmac(self, message: bytes) -> str:
        inner, outer = self._inner.copy(), self._outer.copy()
        inner.update(message)
        outer.update(inner.digest())
        return outer.hexdigest()

    def _hash_parts(self, parts: tuple[str, ...]) -> str | None:
        if all(not p for p in parts):
            return None
        identity = "|".join(normalise_identity(p or "") for p in parts)
        return self._hmac(identity.encode("utf-8"))[:32]
