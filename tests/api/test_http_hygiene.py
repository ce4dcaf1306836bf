"""What the API writes to its logs (no SQL parameters, no keys, one line for a client that
left mid-body), whose forwarded address it believes, and where it redirects."""

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from api.main import create_app
from resync.keys.usage import FIRST_USE
from resync.settings import get_settings
from tests.support.admin_api import events_of, wait_until
from tests.support.postgres import free_port, wait_for_port


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """`app` on uvicorn in this process, as the README runs it (`--no-proxy-headers`)."""
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None, proxy_headers=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def test_keys_in_the_request_line_are_masked_in_the_access_log(
    database_url: str, make_key, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = make_key(["metrics:read"])
    caplog.set_level(logging.INFO, logger="uvicorn.access")
    with served(create_app(get_settings())) as url:
        refused = httpx.get(f"{url}/api/v1/workstations", params={"api_key": key, "limit": 5})
        in_path = httpx.get(f"{url}/api/v1/workstations/{key}")
    assert (refused.status_code, in_path.status_code) == (401, 404)
    lines = [r.getMessage() for r in caplog.records if r.name == "uvicorn.access"]
    assert len(lines) == 2
    assert not [line for line in lines if key in line or key[4:] in line]
    assert '"GET /api/v1/workstations?api_key=[REDACTED]&limit=5 HTTP/1.1" 401' in lines[0]
    assert '"GET /api/v1/workstations/rsk_[REDACTED] HTTP/1.1" 404' in lines[1]


def test_a_client_that_leaves_mid_body_is_one_log_line(
    database_url: str, make_key, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = make_key(["metrics:write"])
    caplog.set_level(logging.INFO)
    with served(create_app(get_settings())) as url:
        with socket.create_connection(("127.0.0.1", int(url.rsplit(":", 1)[1]))) as client:
            client.sendall(
                b"POST /api/v1/metrics/workstation HTTP/1.1\r\nHost: resync\r\n"
                b"X-API-Key: " + key.encode() + b"\r\nContent-Type: application/json\r\n"
                b'Content-Length: 1000\r\n\r\n{"workstation": "WS-PROD-01", '
            )
            time.sleep(0.5)
        wait_until(lambda: any("disconnected" in r.getMessage() for r in caplog.records), 10)
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []
    (line,) = [r.getMessage() for r in caplog.records if "disconnected" in r.getMessage()]
    assert line == (
        "POST /api/v1/metrics/workstation: the client disconnected before sending the whole "
        "body (nothing was stored)"
    )


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_database_errors_are_logged_without_their_parameters(
    database_url: str, engine: Engine, make_key, caplog: pytest.LogCaptureFixture
) -> None:
    _, key = make_key(["metrics:read"])
    database = engine.url.database
    with engine.connect() as connection:
        connection.exec_driver_sql(f"ALTER DATABASE {database} SET lock_timeout = '100ms'")
        connection.commit()
    blocker = engine.connect()
    blocker.exec_driver_sql("LOCK TABLE workstation_metrics_history IN ACCESS EXCLUSIVE MODE")
    try:
        with TestClient(create_app(get_settings())) as client:
            response = client.get(
                "/api/v1/metrics/workstation/SECRET-WS", headers={"X-API-Key": key}
            )
    finally:
        blocker.rollback()
        blocker.close()
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    (line,) = [r.getMessage() for r in caplog.records if r.name == "api.main"]
    assert "lock timeout" in line and "[SQL parameters hidden" in line
    assert "SECRET-WS" not in line


def test_forwarded_addresses_are_believed_from_the_configured_proxies_only(
    database_url: str, make_key
) -> None:
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    for proxies, recorded in [("", "127.0.0.1"), ("127.0.0.1", "203.0.113.9")]:
        key_id, key = make_key(["metrics:read"])
        app = create_app(get_settings().model_copy(update={"trusted_proxies": proxies}))
        with served(app) as url:
            response = httpx.get(
                f"{url}/api/v1/workstations", headers={"X-API-Key": key, **forwarded}
            )
            assert response.status_code == 200
            wait_until(lambda key_id=key_id: events_of(key_id)[1:], 5)
        assert events_of(key_id) == [("created", None), (FIRST_USE, recorded)]


def test_a_trailing_slash_is_not_redirected_by_host(client: TestClient, make_key) -> None:
    _, key = make_key(["metrics:read"])
    spoofed = {"X-API-Key": key, "Host": "attacker.test"}
    response = client.get("/api/v1/workstations/", headers=spoofed, follow_redirects=False)
    assert (response.status_code, response.json()) == (404, {"detail": "Not Found"})
    panel = client.get("/admin", headers=spoofed, follow_redirects=False)
    assert (panel.status_code, panel.headers["location"]) == (307, "/admin/")
