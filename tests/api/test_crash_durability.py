"""Crash test: kill -9 the API mid-load; every acknowledged payload ends in history exactly once."""

import threading
import time
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select

from resync.db.engine import session_scope
from resync.db.models import WorkstationMetrics
from tests.support.live_api import LiveApi
from tests.support.payloads import iso, minutes_ago, payload

# 6,000 single posts from 16 clients: the kill lands with every client's request in flight.
WORKSTATIONS = 100
SAMPLES_EACH = 60
CLIENTS = 16


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_acknowledged_payloads_survive_kill_9(live_api: LiveApi) -> None:
    _, key = live_api.create_key(["metrics:write"])
    start = minutes_ago(SAMPLES_EACH * 5 + 10)
    payloads = [
        payload(f"CRASH{w:03d}", start + timedelta(minutes=5 * s), cpu_percent=float(s % 100))
        for w in range(WORKSTATIONS)
        for s in range(SAMPLES_EACH)
    ]
    acknowledged: set[tuple[str, str]] = set()
    unacknowledged: list[dict] = []
    lock = threading.Lock()
    server_up = threading.Event()
    server_up.set()

    def send(share: list[dict]) -> None:
        with httpx.Client(base_url=live_api.url, headers={"X-API-Key": key}, timeout=10) as client:
            for body in share:
                server_up.wait()
                try:
                    response = client.post("/api/v1/metrics/workstation", json=body)
                except httpx.TransportError:
                    with lock:
                        unacknowledged.append(body)
                    continue
                if response.status_code in (200, 202):
                    with lock:
                        acknowledged.add((body["workstation"], body["timestamp"]))
                else:
                    with lock:
                        unacknowledged.append(body)

    clients = [threading.Thread(target=send, args=(payloads[i::CLIENTS],)) for i in range(CLIENTS)]
    for client in clients:
        client.start()
    while len(acknowledged) < len(payloads) // 2:
        time.sleep(0.01)
    live_api.kill()
    acknowledged_before_crash = len(acknowledged)
    time.sleep(1)
    live_api.start()
    for client in clients:
        client.join(timeout=300)

    # The clients re-send what was never acknowledged, as the agent's spool does.
    assert unacknowledged, "the kill happened after every request had finished"
    retry = list(unacknowledged)
    unacknowledged.clear()
    send(retry)
    assert unacknowledged == []
    assert len(acknowledged) == len(payloads)

    while live_api.ingest()["claimed"]:
        pass

    with session_scope() as session:
        rows = session.execute(
            select(WorkstationMetrics.workstation, WorkstationMetrics.sample_time)
        ).all()
        total = session.scalar(select(func.count()).select_from(WorkstationMetrics))
    stored = {(workstation, iso(sample_time)) for workstation, sample_time in rows}
    assert total == len(payloads)
    assert stored == acknowledged
    assert acknowledged_before_crash >= len(payloads) // 2
