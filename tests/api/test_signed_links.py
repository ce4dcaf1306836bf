"""Signed links: signing and verifying (tampering, another resource, expiry on an injected
clock), the secret's settings, and the API opening exactly the linked resources to them."""

import re
import stat
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import ValidationError

from api.deps import MISSING_KEY
from api.main import ROUTERS, create_app
from resync.db.engine import session_scope
from resync.db.models import Report
from resync.links import (
    FINDINGS_PATH,
    MALFORMED,
    MISMATCH,
    NOT_ENABLED,
    SECRET_FILE,
    LinkRefused,
    LinkSigningNotConfigured,
    report_path,
    signature,
    signed_url,
    signing_secret,
    verify_link,
)
from resync.settings import Settings, get_settings

SECRET = "k3Jd9vQm2LxT7pWz4NcR8yHf6BsA1uEo5GiV0tYq"
NOW = 1_780_000_000
PATH = "/api/v1/reports/0b7c3d4e-1f2a-4b5c-8d9e-0f1a2b3c4d5e.html"
HTML = "<!doctype html><title>Capacity report 2026-11-27</title><p>WS-DISK</p>"
LINKED_ROUTES = {
    ("GET", "/api/v1/reports/{report_id}.html"),
    ("GET", "/api/v1/reports/{report_id}.pdf"),
    ("GET", "/api/v1/maintenance/findings"),
}


def expired_detail(expires: int) -> str:
    when = datetime.fromtimestamp(expires, UTC)
    return (
        f"Expired link: it opened until {when:%Y-%m-%d %H:%M:%S} UTC; open a newer link from "
        "Prefect, or send an API key"
    )


def sign(path: str, expires: int = NOW + 60, query: list[tuple[str, str]] | None = None) -> str:
    return signature(path, query or [], expires, SECRET.encode())


# Signing and verifying


def test_a_link_opens_its_path_until_it_expires() -> None:
    mark = sign(PATH, NOW + 60)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", mark)
    verify_link(PATH, [], str(NOW + 60), mark, SECRET.encode(), now=NOW)
    verify_link(PATH, [], str(NOW + 60), mark, SECRET.encode(), now=NOW + 59.9)
    for now in (NOW + 60, NOW + 3600):
        with pytest.raises(LinkRefused) as refused:
            verify_link(PATH, [], str(NOW + 60), mark, SECRET.encode(), now=now)
        assert str(refused.value) == expired_detail(NOW + 60)


@pytest.mark.parametrize(
    ("path", "query", "expires", "secret"),
    [
        (PATH.replace("0b7c", "0b7d"), [], NOW + 60, SECRET),  # a tampered path
        (PATH.replace(".html", ".pdf"), [], NOW + 60, SECRET),  # another resource
        (PATH, [("kind", "disk_filling")], NOW + 60, SECRET),  # a query added
        (PATH, [], NOW + 86_400, SECRET),  # a later expiry
        (PATH, [], NOW + 60, SECRET[::-1]),  # another secret
    ],
    ids=["tampered-path", "other-resource", "query-added", "expiry-moved", "other-secret"],
)
def test_a_signature_opens_nothing_else(path, query, expires, secret) -> None:
    mark = sign(PATH, NOW + 60)
    with pytest.raises(LinkRefused) as refused:
        verify_link(path, query, str(expires), mark, secret.encode(), now=NOW)
    assert str(refused.value) == MISMATCH


def test_the_selecting_query_is_signed_in_any_order() -> None:
    query = [("workstation", "FTA001"), ("kind", "disk_filling")]
    mark = sign(FINDINGS_PATH, query=query)
    verify_link(FINDINGS_PATH, query[::-1], str(NOW + 60), mark, SECRET.encode(), now=NOW)
    with pytest.raises(LinkRefused):
        verify_link(FINDINGS_PATH, query[:1], str(NOW + 60), mark, SECRET.encode(), now=NOW)


@pytest.mark.parametrize(
    ("expires", "mark"),
    [(None, "abc"), (str(NOW), None), ("", "abc"), ("soon", "abc"), ("-5", "abc"), ("9" * 12, "a")],
)
def test_a_malformed_link_is_refused(expires, mark) -> None:
    with pytest.raises(LinkRefused) as refused:
        verify_link(PATH, [], expires, mark, SECRET.encode(), now=NOW)
    assert str(refused.value) == MALFORMED


def test_a_signed_url_is_under_the_public_address(tmp_path: Path) -> None:
    settings = Settings(
        public_api_url="https://resync.example.com/", link_signing_secret=SECRET, data_dir=tmp_path
    )
    expires_at = datetime.fromtimestamp(NOW + 60, UTC)
    url = signed_url(FINDINGS_PATH, expires_at, {"kind": "disk_filling"}, settings)
    assert url == (
        f"https://resync.example.com{FINDINGS_PATH}?kind=disk_filling&expires={NOW + 60}"
        f"&signature={sign(FINDINGS_PATH, query=[('kind', 'disk_filling')])}"
    )
    assert not (tmp_path / SECRET_FILE).exists()


# The secret


def test_development_generates_one_secret_under_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(
        environment="development", data_dir=tmp_path / "data", link_signing_secret=None
    )
    first = signing_secret(settings)
    path = tmp_path / "data" / SECRET_FILE
    assert len(first) >= 64 and path.read_bytes().strip() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_secret(settings.model_copy()) == first
    assert [p.name for p in path.parent.iterdir()] == [SECRET_FILE]


def test_outside_development_the_secret_must_be_set_and_real(tmp_path: Path) -> None:
    with pytest.raises(LinkSigningNotConfigured, match="RESYNC_LINK_SIGNING_SECRET is not set"):
        signing_secret(
            Settings(environment="production", data_dir=tmp_path, link_signing_secret=None)
        )
    assert not (tmp_path / SECRET_FILE).exists()
    with pytest.raises(ValidationError, match="link_signing_secret is a placeholder value"):
        Settings(environment="production", link_signing_secret="changeme")
    with pytest.raises(ValidationError, match="link_signing_secret is shorter than 32"):
        Settings(environment="test", link_signing_secret="short-but-not-a-placeholder")
    settings = Settings(environment="production", link_signing_secret=SECRET)
    assert signing_secret(settings) == SECRET.encode()
    assert Settings(environment="development", link_signing_secret="changeme")


# The API


@pytest.fixture(autouse=True)
def link_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESYNC_LINK_SIGNING_SECRET", SECRET)
    get_settings.cache_clear()


@pytest.fixture
def report_id(database_url: str) -> uuid.UUID:
    pdf = b"%PDF-1.4 Capacity report 2026-11-27"
    report = Report(
        kind="capacity",
        title="Capacity report 2026-11-27",
        summary={},
        html=HTML,
        html_bytes=len(HTML),
        pdf=pdf,
        pdf_bytes=len(pdf),
    )
    with session_scope() as session:
        session.add(report)
    return report.id


def link(path: str, query: dict[str, str] | None = None, lifetime: float = 600) -> str:
    """The path and query of a signed link to `path` (the in-process client's address)."""
    expires_at = datetime.now(UTC) + timedelta(seconds=lifetime)
    parts = urlsplit(signed_url(path, expires_at, query, get_settings()))
    return f"{parts.path}?{parts.query}"


def test_signed_links_open_the_report_and_the_findings(client: TestClient, report_id) -> None:
    html = client.get(link(report_path(report_id, "html")))
    assert (html.status_code, html.text) == (200, HTML)
    assert html.headers["content-security-policy"].startswith("default-src 'none'")
    pdf = client.get(link(report_path(report_id, "pdf")))
    assert (pdf.status_code, pdf.headers["content-type"]) == (200, "application/pdf")
    assert pdf.content.startswith(b"%PDF-1.4")
    for query in (None, {"kind": "disk_filling", "workstation": "FTA001"}):
        findings = client.get(link(FINDINGS_PATH, query))
        assert (findings.status_code, findings.json()) == (200, {"data": [], "count": 0})


def test_each_refused_link_says_why(client: TestClient, report_id) -> None:
    html = link(report_path(report_id, "html"))
    other = uuid.uuid4()
    expires = int(time.time()) - 1
    mark = sign(report_path(report_id, "html"), expires)
    refused = {
        html.replace(str(report_id), str(other)): MISMATCH,
        html.replace(".html?", ".pdf?"): MISMATCH,
        html.replace("expires=", "expires=1"): MISMATCH,
        html[:-2] + ("AA" if not html.endswith("AA") else "BB"): MISMATCH,
        html + "&kind=disk_filling": MISMATCH,
        link(FINDINGS_PATH, {"kind": "disk_filling"}).replace("disk_filling", "memory_leak"): (
            MISMATCH
        ),
        f"{report_path(report_id, 'html')}?expires={expires}&signature={mark}": expired_detail(
            expires
        ),
        html.split("&signature=")[0]: MALFORMED,
        f"{report_path(report_id, 'html')}?expires=tomorrow&signature={mark}": MALFORMED,
    }
    for url, detail in refused.items():
        response = client.get(url)
        assert (response.status_code, response.json()) == (403, {"detail": detail}), url


def test_a_key_is_still_enough_and_wins_over_a_stale_link(
    client: TestClient, make_key, report_id
) -> None:
    _, key = make_key(["workflows:read"])
    path = report_path(report_id, "html")
    assert client.get(path, headers={"X-API-Key": key}).text == HTML
    stale = f"{path}?expires=1&signature={sign(path, 1)}"
    assert client.get(stale, headers={"Authorization": f"Bearer {key}"}).status_code == 200
    response = client.get(path)
    assert (response.status_code, response.json()) == (401, {"detail": MISSING_KEY})


def test_only_the_linked_reads_accept_signatures() -> None:
    accepting = {
        (method, route.path)
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and any(
            getattr(d.call, "accepts_signed_links", False) for d in route.dependant.dependencies
        )
        for method in route.methods
    }
    assert accepting == LINKED_ROUTES


def other_routes() -> list[tuple[str, str]]:
    """(method, path) of every keyed route that takes no signed link, path parameters filled."""
    return sorted(
        (method, re.sub(r"\{[^}]+\}", "1", route.path))
        for router in ROUTERS
        for route in router.routes
        if isinstance(route, APIRoute)
        and any(hasattr(d.call, "required_scope") for d in route.dependant.dependencies)
        for method in route.methods
        if (method, route.path) not in LINKED_ROUTES
    )


def test_writes_key_admin_and_lists_refuse_a_valid_signature(client: TestClient) -> None:
    routes = other_routes()
    assert ("POST", "/api/v1/alerts/1/review") in routes
    assert ("GET", "/api/v1/admin/api-keys") in routes
    for method, path in routes:
        expires = int(time.time()) + 600
        url = f"{path}?expires={expires}&signature={sign(path, expires)}"
        response = client.request(method, url, json={})
        assert (response.status_code, response.json()) == (401, {"detail": MISSING_KEY}), url


def test_an_api_without_a_secret_outside_development_refuses_links(
    database_url: str, make_key, report_id, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RESYNC_LINK_SIGNING_SECRET")
    settings = Settings(environment="production", database_url=database_url)
    _, key = make_key(["workflows:read"])
    path = report_path(report_id, "html")
    with TestClient(create_app(settings)) as client:
        response = client.get(f"{path}?expires={NOW}&signature={sign(path, NOW)}")
        assert (response.status_code, response.json()) == (403, {"detail": NOT_ENABLED})
        assert client.get(path, headers={"X-API-Key": key}).status_code == 200
