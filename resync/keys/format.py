"""API keys: the `rsk_` format with its checksum, hashing, scopes, and the key records."""

import hashlib
import re
import secrets
import uuid
import zlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from resync.db.models import ApiKey

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


def key_status(record: ApiKey, now: datetime | None = None) -> str:
    """`active`, `revoked` or `expired` (a rotated key expires when its grace period ends)."""
    now = now or datetime.now(UTC)
    if record.revoked_at is not None:
        return "revoked"
    if record.expires_at is not None and record.expires_at <= now:
        return "expired"
    if record.grace_until is not None and record.grace_until <= now:
        return "expired"
    return "active"


def create_api_key(
    session: Session,
    *,
    name: str,
    scopes: list[str],
    description: str | None = None,
    expires_in_days: int | None = None,
    created_by: str | None = None,
) -> tuple[ApiKey, str]:
    """Store a new key (its hash and display prefix only) and return it with the plaintext."""
    plaintext = generate_key()
    expires_at = None
    if expires_in_days is not None:
        if expires_in_days < 1:
            raise ValueError("expires_in_days must be at least 1")
        expires_at = datetime.now(UTC) + timedelta(days=expires_in_days)
    record = ApiKey(
        name=name,
        description=description,
        key_prefix=plaintext[:DISPLAY_PREFIX_CHARS],
        key_hash=hash_key(plaintext),
        scopes=expand_scopes(scopes),
        expires_at=expires_at,
        created_by=created_by,
    )
    session.add(record)
    session.flush()
    return record, plaintext


def list_api_keys(session: Session, include_revoked: bool = False) -> list[ApiKey]:
    query = select(ApiKey).order_by(ApiKey.created_at.desc())
    if not include_revoked:
        query = query.where(ApiKey.revoked_at.is_(None))
    return list(session.scalars(query))


def revoke_api_key(session: Session, key_id: uuid.UUID, *, reason: str, revoked_by: str) -> ApiKey:
    """Soft-revoke a key; raises LookupError when it does not exist."""
    record = session.get(ApiKey, key_id)
    if record is None:
        raise LookupError(f"no API key with id {key_id}")
    if record.revoked_at is None:
        record.revoked_at = datetime.now(UTC)
        record.revoked_by = revoked_by
        record.revoked_reason = reason
    return record
