"""The load of the concurrent-reads benchmark: readers, agents and a health probe, at once.

Readers loop `GET /api/v1/workstations`, each on a connection of its own; agents post one distinct
sample each at a fixed rate with the collector's 30 s timeout; a probe asks `/healthz` every
250 ms. Readers run in one process, agents and probe in another. Every answer is kept as
(status, seconds); a request that times out or fails to connect is counted under its error.
"""

import asyncio
import random
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from resync.demo.estate import demo_estate, sample

AGENT_TIMEOUT_SECONDS = 30.0
READER_TIMEOUT_SECONDS = 60.0
PROBE_INTERVAL_SECONDS = 0.25


@dataclass
class Answers:
    """Status (or error name) and latency of every request of one kind."""

    statuses: Counter[str] = field(default_factory=Counter)
    seconds: list[float] = field(default_factory=list)
    retry_after: Counter[str] = field(default_factory=Counter)

    async def send(self, client: httpx.AsyncClient, method: str, path: str, **kwargs) -> None:
        began = time.perf_counter()
        try:
            response = await client.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            self.statuses[type(error).__name__] += 1
        else:
            self.statuses[str(response.status_code)] += 1
            if response.status_code == 503:
                self.retry_after[response.headers.get("retry-after", "none")] += 1
        self.seconds.append(time.perf_counter() - began)

    def summary(self) -> dict[str, object]:
        ordered = sorted(self.seconds)

        def at(share: float) -> float | None:
            if not ordered:
                return None
            return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000, 1)

        return {
            "requests": len(ordered),
            "statuses": dict(sorted(self.statuses.items())),
            "retry_after": dict(self.retry_after),
            "p50_ms": at(0.50),
            "p99_ms": at(0.99),
            "max_ms": round(ordered[-1] * 1000, 1) if ordered else None,
        }


async def _reader(client: httpx.AsyncClient, until: float, answers: Answers) -> None:
    while time.time() < until:
        await answers.send(client, "GET", "/api/v1/workstations")


async def _readers(api: str, key: str, readers: int, until: float) -> Answers:
    answers = Answers()
    # One client with a connection per reader: a client each costs an SSL context each, which
    # for 200 readers took longer to set up than the run lasts.
    async with httpx.AsyncClient(
        base_url=api,
        headers={"X-API-Key": key},
        timeout=READER_TIMEOUT_SECONDS,
        limits=httpx.Limits(max_connections=readers, max_keepalive_connections=readers),
    ) as client:
        await asyncio.gather(*(_reader(client, until, answers) for _ in range(readers)))
    return answers


async def _agents(api: str, key: str, rate: float, until: float, run: str) -> Answers:
    answers = Answers()
    profile = demo_estate(1)[0]
    async with httpx.AsyncClient(
        base_url=api,
        headers={"X-API-Key": key},
        timeout=AGENT_TIMEOUT_SECONDS,
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=None),
    ) as client:
        sends = []
        start = time.time()
        while time.time() < until:
            now = datetime.now(UTC).replace(microsecond=0)
            body = sample(profile, now, now, random.Random(len(sends)))
            body["workstation"] = f"AGENT-{run}-{len(sends):05d}"
            sends.append(
                asyncio.create_task(
                    answers.send(client, "POST", "/api/v1/metrics/workstation", json=body)
                )
            )
            await asyncio.sleep(max(0.0, start + len(sends) / rate - time.time()))
        await asyncio.gather(*sends)
    return answers


async def _probe(api: str, until: float) -> Answers:
    answers = Answers()
    async with httpx.AsyncClient(base_url=api, timeout=READER_TIMEOUT_SECONDS) as client:
        while time.time() < until:
            await answers.send(client, "GET", "/healthz")
            await asyncio.sleep(PROBE_INTERVAL_SECONDS)
    return answers


def _read(api: str, key: str, readers: int, until: float) -> dict[str, object]:
    return asyncio.run(_readers(api, key, readers, until)).summary()


def _ingest_and_probe(
    api: str, key: str, rate: float, until: float, run: str
) -> tuple[dict[str, object], dict[str, object]]:
    async def both() -> tuple[Answers, Answers]:
        return await asyncio.gather(_agents(api, key, rate, until, run), _probe(api, until))

    agents, probe = asyncio.run(both())
    return agents.summary(), probe.summary()


def run_load(
    api: str, read_key: str, write_key: str, readers: int, seconds: float, rate: float, run: str
) -> dict[str, object]:
    """`readers` concurrent readers beside agents posting `rate` samples/s and the probe, for
    `seconds`; each kind's statuses and latencies (in-flight requests are waited for). The
    readers and the agents are separate processes: a busy reader loop cannot slow the agents."""
    began = time.monotonic()
    until = time.time() + seconds
    with ProcessPoolExecutor(max_workers=2) as pool:
        reading = pool.submit(_read, api, read_key, readers, until)
        ingesting = pool.submit(_ingest_and_probe, api, write_key, rate, until, run)
        agents, probe = ingesting.result()
        figures = {"readers": reading.result(), "agents": agents, "healthz": probe}
    figures["wall_seconds"] = round(time.monotonic() - began, 1)
    return figures
