"""Verified-key cache and batched usage recording, so ingest costs no key query per request."""

import logging
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, bindparam, select, update

from resync.models import ApiKey

logger = logging.getLogger(__name__)

# Unknown hashes are cached too (a misconfigured FTA retries every 5 minutes forever);
# the bound keeps a flood of random keys from growing the cache without limit.
MAX_CACHED_KEYS = 10_000


@dataclass(frozen=True)
class KnownKey:
    """What authentication needs to know of a stored key."""

    id: uuid.UUID
    name: str
    scopes: frozenset[str]
    expires_at: datetime | None
    revoked: bool


class KeyCache:
    """Key records by hash, each kept at most `ttl` seconds so a revocation lands within it."""

    def __init__(self, engine: Engine, ttl: float) -> None:
        self._engine = engine
        self._ttl = ttl
        self._entries: dict[str, tuple[float, KnownKey | None]] = {}

    def cached(self, key_hash: str) -> tuple[bool, KnownKey | None]:
        """(hit, record) without touching the database."""
        entry = self._entries.get(key_hash)
        if entry is None or time.monotonic() - entry[0] > self._ttl:
            return False, None
        return True, entry[1]

    def load(self, key_hash: str) -> KnownKey | None:
        """Read one key from the database and cache the answer (blocking; run off the loop)."""
        with self._engine.connect() as connection:
            row = connection.execute(
                select(
                    ApiKey.id, ApiKey.name, ApiKey.scopes, ApiKey.expires_at, ApiKey.revoked_at
                ).where(ApiKey.key_hash == key_hash)
            ).one_or_none()
        known = None
        if row is not None:
            known = KnownKey(
                id=row.id,
                name=row.name,
                scopes=frozenset(row.scopes),
                expires_at=row.expires_at,
                revoked=row.revoked_at is not None,
            )
        if len(self._entries) >= MAX_CACHED_KEYS:
            self._entries.clear()
        self._entries[key_hash] = (time.monotonic(), known)
        return known


class UsageRecorder:
    """Counts key uses in memory and writes them in one statement every `interval` seconds."""

    def __init__(self, engine: Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._pending: dict[uuid.UUID, tuple[int, datetime]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="usage-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, key_id: uuid.UUID) -> None:
        now = datetime.now(UTC)
        with self._lock:
            count, _ = self._pending.get(key_id, (0, now))
            self._pending[key_id] = (count + 1, now)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        statement = (
            update(ApiKey)
            .where(ApiKey.id == bindparam("key_id"))
            .values(
                usage_count=ApiKey.usage_count + bindparam("uses"),
                last_used_at=bindparam("used_at"),
            )
        )
        rows = [
            {"key_id": key_id, "uses": uses, "used_at": used_at}
            for key_id, (uses, used_at) in pending.items()
        ]
        try:
            with self._engine.begin() as connection:
                connection.execute(statement, rows)
        except Exception:
            with self._lock:
                for key_id, (uses, used_at) in pending.items():
                    count, last = self._pending.get(key_id, (0, used_at))
                    self._pending[key_id] = (count + uses, max(last, used_at))
            raise

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                self.flush()
            except Exception:
                logger.exception("could not record API-key usage; will retry")

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.flush()
