"""Verified-key cache and batched usage recording, so ingest costs no key query per request."""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from api.instruments import KEY_CACHE_HIT, KEY_CACHE_MISS
from resync.keys.store import key_by_hash
from resync.keys.usage import NewAddresses, Uses, hour_of, prune_hourly_usage, write_usage

logger = logging.getLogger(__name__)

# Unknown hashes are cached too (a misconfigured FTA retries every 5 minutes forever);
# the bound keeps a flood of random keys from growing the cache without limit.
MAX_CACHED_KEYS = 10_000
# Forgetting seen addresses only costs a lookup at the next flush, never a duplicate event.
MAX_SEEN_ADDRESSES = 100_000


@dataclass(frozen=True)
class KnownKey:
    """What authentication needs to know of a stored key."""

    id: uuid.UUID
    name: str
    key_prefix: str
    scopes: frozenset[str]
    expires_at: datetime | None
    revoked: bool
    grace_until: datetime | None = None
    # The FTAs whose samples the key may post; None: any.
    workstations: frozenset[str] | None = None


class KeyCache:
    """Key records by hash, each kept at most `ttl` seconds so a revocation lands within it.

    `clock` is what the seconds are counted on: monotonic time, or one the tests move forward.
    """

    def __init__(
        self, engine: Engine, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._ttl = ttl
        self._clock = clock
        self._entries: dict[str, tuple[float, KnownKey | None]] = {}

    def cached(self, key_hash: str) -> tuple[bool, KnownKey | None]:
        """(hit, record) without touching the database."""
        entry = self._entries.get(key_hash)
        if entry is None or self._clock() - entry[0] > self._ttl:
            KEY_CACHE_MISS.inc()
            return False, None
        KEY_CACHE_HIT.inc()
        return True, entry[1]

    def load(self, key_hash: str) -> KnownKey | None:
        """Read one key from the database and cache the answer (blocking; run off the loop)."""
        with self._engine.connect() as connection:
            row = key_by_hash(connection, key_hash)
        known = None
        if row is not None:
            known = KnownKey(
                id=row.id,
                name=row.name,
                key_prefix=row.key_prefix,
                scopes=frozenset(row.scopes),
                expires_at=row.expires_at,
                revoked=row.revoked_at is not None,
                grace_until=row.grace_until,
                workstations=None if row.workstations is None else frozenset(row.workstations),
            )
        if len(self._entries) >= MAX_CACHED_KEYS:
            self._entries.clear()
        self._entries[key_hash] = (self._clock(), known)
        return known


class UsageRecorder:
    """Counts key uses in memory and writes them in one transaction every `interval` seconds.

    The first use of a key from a client address this process has not seen is queued the same
    way, so the audit trail's first-use events cost no write on the request path.
    """

    def __init__(self, engine: Engine, interval: float) -> None:
        self._engine = engine
        self._interval = interval
        self._pending: Uses = {}
        self._new_addresses: NewAddresses = {}
        self._seen_addresses: set[tuple[uuid.UUID, str]] = set()
        self._pruned_hour: datetime | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="usage-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, key_id: uuid.UUID, client_address: str | None = None) -> None:
        now = datetime.now(UTC)
        with self._lock:
            count, _ = self._pending.get(key_id, (0, now))
            self._pending[key_id] = (count + 1, now)
            if client_address is not None and (key_id, client_address) not in self._seen_addresses:
                if len(self._seen_addresses) >= MAX_SEEN_ADDRESSES:
                    self._seen_addresses.clear()
                self._seen_addresses.add((key_id, client_address))
                self._new_addresses.setdefault((key_id, client_address), now)

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            new_addresses, self._new_addresses = self._new_addresses, {}
        if not pending and not new_addresses:
            return
        now = datetime.now(UTC)
        try:
            with self._engine.begin() as connection:
                write_usage(connection, pending, new_addresses)
                if self._pruned_hour != hour_of(now):
                    prune_hourly_usage(connection, now)
                    self._pruned_hour = hour_of(now)
        except Exception:
            with self._lock:
                for key_id, (uses, used_at) in pending.items():
                    count, last = self._pending.get(key_id, (0, used_at))
                    self._pending[key_id] = (count + uses, max(last, used_at))
                for pair, seen_at in new_addresses.items():
                    self._new_addresses.setdefault(pair, seen_at)
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
