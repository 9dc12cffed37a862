"""Keyed hashing of persons (HMAC-SHA256 of the normalised identity).

The key comes from ``OBSERVATOIRE_PSEUDO_KEY``, else from a key file created
once with mode 0600 and reused every year: a new key would make every person
new and break distinct counts across years.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from functools import lru_cache
from pathlib import Path

KEY_ENV = "OBSERVATOIRE_PSEUDO_KEY"
KEY_FILE_ENV = "OBSERVATOIRE_KEY_FILE"
DEFAULT_KEY_FILE = Path.home() / ".config" / "observatoire" / "cle-pseudonymisation"


def load_key() -> bytes:
    if value := os.environ.get(KEY_ENV):
        return value.encode("utf-8")
    path = Path(os.environ.get(KEY_FILE_ENV, DEFAULT_KEY_FILE))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip().encode("utf-8")


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
