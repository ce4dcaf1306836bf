"""Reads under load: they take no write lock, overload is a quick 503, ingest and /healthz go on."""

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor, wait

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.database_slots import OVERLOADED
from api.main import create_app
from resync.settings import get_settings
from tests.support.payloads import payload

WORKSTATIONS = "/api/v1/workstations"
SINGLE = "/api/v1/metrics/workstation"
# As in the report that found it: more concurrent reads than the API's worker threads (40).
READERS = 45


def get(client: TestClient, path: str, headers: dict[str, str]) -> tuple[int, str]:
    response = client.get(path, headers=headers)
    return response.status_code, response.headers.get("retry-after", "")


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_read_goes_on_while_a_writer_holds_the_sqlite_lock(
    client: TestClient, make_key, database_url: str
) -> None:
    _, key = make_key(["metrics:read"])
    writer = sqlite3.connect(database_url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        with ThreadPoolExecutor(1) as pool:
            reading = pool.submit(get, client, WORKSTATIONS, {"X-API-Key": key})
            done, _ = wait([reading], timeout=5)
            assert done, "the read waited for the writer's lock"
            assert reading.result()[0] == 200
    finally:
        writer.rollback()
        writer.close()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_reads_beyond_the_slots_get_a_quick_503_while_ingest_and_healthz_go_on(
    engine: Engine, make_key
) -> None:
    settings = get_settings().model_copy(
        update={"api_database_slots": 2, "api_database_wait_seconds": 0.5}
    )
    _, key = make_key(["metrics:read", "metrics:write"])
    headers = {"X-API-Key": key}
    with TestClient(create_app(settings)) as client, ThreadPoolExecutor(READERS) as pool:
        # Every read of the estate now waits for this transaction: the reads hang as on a
        # database too slow for the load.
        blocker = engine.connect()
        blocker.exec_driver_sql("LOCK TABLE workstations IN ACCESS EXCLUSIVE MODE")
        try:
            reads = [pool.submit(get, client, WORKSTATIONS, headers) for _ in range(READERS)]
            # Quick: all but the two reads holding the slots are refused within 10 s, while the
            # blocker holds its lock to the end of the test (each waits 0.5 s for a slot; 45
            # threads of one process on two busy cores took up to 5.2 s).
            deadline = time.monotonic() + 10
            while sum(read.done() for read in reads) < READERS - 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            done = [read for read in reads if read.done()]
            refused = [read.result() for read in done]
            assert len(refused) == READERS - 2
            assert {status for status, _ in refused} == {503}
            assert {retry_after for _, retry_after in refused} == {"5"}

            health = pool.submit(get, client, "/healthz", {})
            assert wait([health], timeout=2).done, "/healthz waited behind the reads"
            ingest = pool.submit(client.post, SINGLE, json=payload("BUSY01"), headers=headers)
            assert wait([ingest], timeout=5).done, "ingest waited behind the reads"
            assert ingest.result().status_code == 202
        finally:
            blocker.rollback()
            blocker.close()
        assert {read.result()[0] for read in reads if read not in done} == {200}
        response = client.get(WORKSTATIONS, headers=headers)
    assert response.status_code == 200


def test_overload_says_what_to_do(database_url: str, make_key) -> None:
    settings = get_settings().model_copy(
        update={"api_database_slots": 1, "api_database_wait_seconds": 0.1}
    )
    _, key = make_key(["metrics:read"])
    with TestClient(create_app(settings)) as client:
        slot = client.app.state.database_slots.held()
        client.portal.call(slot.__aenter__)
        try:
            response = client.get(WORKSTATIONS, headers={"X-API-Key": key})
        finally:
            client.portal.call(slot.__aexit__, None, None, None)
        assert client.get(WORKSTATIONS, headers={"X-API-Key": key}).status_code == 200
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json() == {"detail": OVERLOADED}
