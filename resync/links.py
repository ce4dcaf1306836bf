"""Signed links: addresses of one API resource that a browser opens without an API key.

Like an object store's presigned URLs, a link carries an expiry and an HMAC-SHA256 over the
path, the query that selects the resource and that expiry (`?expires=<unix>&signature=…`),
keyed by a secret the API and every flow share: RESYNC_LINK_SIGNING_SECRET, or in development
one generated once under RESYNC_DATA_DIR. Changing any of the three breaks the signature, so a
link opens exactly the resource it was made for, until it expires.
"""

import base64
import hashlib
import hmac
import json
import os
import secrets
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal
from urllib.parse import urlencode

from resync.settings import Settings, get_settings

EXPIRES = "expires"
SIGNATURE = "signature"
SECRET_FILE = "link-signing-secret"
# Bumped if what is signed ever changes, so old links fail instead of meaning something else.
SIGNED_FORMAT = "resync-link-v1"
# A Unix time fits in 11 digits until the year 5138; longer is not a time.
MAX_EXPIRES_DIGITS = 11

FINDINGS_PATH = "/api/v1/maintenance/findings"

MALFORMED = (
    "Malformed link: it needs both 'expires' (a Unix time) and 'signature'; "
    "copy the whole link again from Prefect"
)
MISMATCH = (
    "Invalid link: its signature does not match this address (the link was altered or made "
    "for another resource); copy the whole link again from Prefect"
)
NOT_ENABLED = (
    "Signed links are not enabled on this API: set RESYNC_LINK_SIGNING_SECRET (the same value "
    "for the API and the flows), or send an API key"
)


class LinkRefused(ValueError):
    """A signed link that does not open its resource; the message says why and what to do."""


class LinkSigningNotConfigured(RuntimeError):
    """No signing secret outside development, where generating one would split the processes."""


def report_path(report_id: uuid.UUID, document: Literal["html", "pdf"]) -> str:
    return f"/api/v1/reports/{report_id}.{document}"


def signing_secret(settings: Settings) -> bytes:
    """RESYNC_LINK_SIGNING_SECRET; in development, a secret generated once under data_dir."""
    if settings.link_signing_secret is not None:
        return settings.link_signing_secret.get_secret_value().encode()
    if settings.environment != "development":
        raise LinkSigningNotConfigured(
            "RESYNC_LINK_SIGNING_SECRET is not set: give the API and every flow the same random "
            "value of 32 characters or more, e.g. from `python -c 'import secrets; "
            "print(secrets.token_urlsafe(32))'`"
        )
    path = settings.data_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        # link() does not replace: processes starting together all end up with the first one.
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip().encode()


def _canonical_query(query: Iterable[tuple[str, str]]) -> list[list[str]]:
    return sorted([name, value] for name, value in query if name not in (EXPIRES, SIGNATURE))


def signature(path: str, query: Iterable[tuple[str, str]], expires: int, secret: bytes) -> str:
    """The URL-safe base64 HMAC-SHA256 of the path, the selecting query and the expiry."""
    # JSON keeps the parts apart: no path or value can pass for another split of the same text.
    signed = json.dumps([SIGNED_FORMAT, path, _canonical_query(query), expires])
    digest = hmac.new(secret, signed.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def link_expiry(lifetime_seconds: float, now: datetime | None = None) -> datetime:
    """When a link made now with this lifetime stops opening (whole seconds)."""
    moment = (now or datetime.now(UTC)) + timedelta(seconds=lifetime_seconds)
    return moment.replace(microsecond=0)


def signed_url(
    path: str,
    expires_at: datetime,
    query: dict[str, str] | None = None,
    settings: Settings | None = None,
) -> str:
    """`path` (and `query`) under RESYNC_PUBLIC_API_URL, signed to open until `expires_at`."""
    settings = settings or get_settings()
    expires = int(expires_at.timestamp())
    items = sorted((query or {}).items())
    mark = signature(path, items, expires, signing_secret(settings))
    parameters = urlencode([*items, (EXPIRES, str(expires)), (SIGNATURE, mark)])
    return f"{settings.public_api_url.rstrip('/')}{path}?{parameters}"


def verify_link(
    path: str,
    query: Iterable[tuple[str, str]],
    expires: str | None,
    given: str | None,
    secret: bytes,
    now: float,
) -> None:
    """Accept a link for exactly `path` and `query`, unexpired at `now`; else LinkRefused."""
    if (
        not expires
        or not given
        or not (expires.isascii() and expires.isdigit())
        or len(expires) > MAX_EXPIRES_DIGITS
    ):
        raise LinkRefused(MALFORMED)
    expected = signature(path, query, int(expires), secret)
    if not hmac.compare_digest(expected.encode(), given.encode()):
        raise LinkRefused(MISMATCH)
    # Checked after the signature, so a forged expiry is reported as the forgery it is.
    if int(expires) <= now:
        expired_at = datetime.fromtimestamp(int(expires), UTC)
        raise LinkRefused(
            f"Expired link: it opened until {expired_at:%Y-%m-%d %H:%M:%S} UTC; open a newer "
            "link from Prefect, or send an API key"
        )
