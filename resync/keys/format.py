"""API keys: the `rsk_` format with its checksum, hashing, and the scopes a key can hold."""

import hashlib
import re
import secrets
import zlib

KEY_PREFIX = "rsk_"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_BYTES = 32  # 256 bits of randomness
RANDOM_CHARS = 43  # 62**43 > 2**256
CHECKSUM_CHARS = 6  # 62**6 > 2**32 (CRC32)
DISPLAY_PREFIX_CHARS = 12
KEY_PATTERN = re.compile(rf"^{KEY_PREFIX}[0-9A-Za-z]{{{RANDOM_CHARS + CHECKSUM_CHARS}}}$")

SCOPES: tuple[str, ...] = (
    "metrics:read",
    "metrics:write",
    "jobs:write",
    "workflows:read",
    "workflows:write",
    "admin:read",
    "admin:write",
)
SCOPE_GROUPS = {
    "admin:*": ("admin:read", "admin:write"),
    "workflows:*": ("workflows:read", "workflows:write"),
}


class KeyFormatError(ValueError):
    """The text is not a Resync API key (wrong shape or checksum)."""


def _base62(number: int, width: int) -> str:
    digits = []
    while number:
        number, remainder = divmod(number, 62)
        digits.append(BASE62[remainder])
    return "".join(reversed(digits)).rjust(width, "0")


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_CHARS)


def generate_key() -> str:
    """A new plaintext key: `rsk_` + 43 base62 characters (256 bits) + a 6-character CRC32."""
    body = _base62(int.from_bytes(secrets.token_bytes(RANDOM_BYTES), "big"), RANDOM_CHARS)
    return f"{KEY_PREFIX}{body}{_checksum(body)}"


def check_key_format(key: str) -> None:
    """Raise KeyFormatError unless `key` has the Resync shape and a valid checksum."""
    if not KEY_PATTERN.match(key):
        raise KeyFormatError("malformed API key")
    body, checksum = key[len(KEY_PREFIX) : -CHECKSUM_CHARS], key[-CHECKSUM_CHARS:]
    if not secrets.compare_digest(_checksum(body), checksum):
        raise KeyFormatError("API key checksum mismatch")


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def expand_scopes(requested: list[str]) -> list[str]:
    """Expand `admin:*` / `workflows:*` and refuse unknown scopes; sorted, without duplicates."""
    expanded: set[str] = set()
    for scope in requested:
        if scope in SCOPE_GROUPS:
            expanded.update(SCOPE_GROUPS[scope])
        elif scope in SCOPES:
            expanded.add(scope)
        else:
            known = ", ".join((*SCOPES, *SCOPE_GROUPS))
            raise ValueError(f"unknown scope {scope!r}; known scopes: {known}")
    if not expanded:
        raise ValueError("at least one scope is required")
    return sorted(expanded)
