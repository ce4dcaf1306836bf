"""The report-generation flow through a real Prefect API, on SQLite and PostgreSQL."""

import json
import uuid
from datetime import UTC, datetime, timedelta

import pypdfium2
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
from sqlalchemy import func, select

from flows.report_generation import report_generation
from resync.db.engine import session_scope
from resync.db.models import (
    Alert,
    CapacityForecast,
    CapacityForecastRun,
    Report,
    Workstation,
)
from tests.dashboards.test_reports import require_chromium
from tests.support.capacity_rows import forecast_row, insufficient_row
from tests.support.signed_links import check_signed, markdown_links

pytestmark = pytest.mark.usefixtures("database_url", "prefect_api")


@pytest.fixture(autouse=True)
def chromium() -> None:
    require_chromium()


def insert_run(finished: bool = True, started_ago: timedelta = timedelta(0)) -> uuid.UUID:
    """A capacity run per contract 2: one FTA saturating its disk, one flat, one too new."""
    now = datetime.now(UTC) - started_ago
    rows = [
        forecast_row("WS-DISK", "disk", now=now, current=70, trend_per_day=0.9),
        forecast_row("WS-FLAT", "cpu", now=now, current=40, trend_per_day=0.0),
        insufficient_row("WS-NEW", "memory"),
    ]
    run = CapacityForecastRun(
        id=uuid.uuid4(),
        started_at=now - timedelta(minutes=3),
        finished_at=now if finished else None,
        history_days=30,
        horizon_days=90,
        workstation_count=3,
        analyst="deterministic",
        insight="WS-DISK runs out of disk first.",
        analyst_note="Written by the deterministic analyst: ANTHROPIC_API_KEY is not set.",
    )
    with session_scope() as session:
        session.add(run)
        session.flush()
        session.add_all(CapacityForecast(run_id=run.id, **row) for row in rows)
    return run.id


def open_alert(workstation: str = "WS-DISK") -> None:
    now = datetime.now(UTC)
    with session_scope() as session:
        session.add(Workstation(name=workstation, last_sample_at=now))
        session.flush()
        session.add(
            Alert(
                workstation=workstation,
                rule="disk_saturation",
                severity="warning",
                message="disk 91 % for 3 samples",
                value=91.0,
            )
        )


def run_flow(**parameters):
    state = report_generation(**parameters, return_state=True)
    return state, state.state_details.flow_run_id


def artifacts_of(flow_run_id: uuid.UUID) -> dict:
    with get_client(sync_client=True) as prefect:
        artifacts = prefect.read_artifacts(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact for artifact in artifacts}


def test_the_latest_finished_run_becomes_a_stored_report_with_artifacts() -> None:
    previous = insert_run(started_ago=timedelta(days=7))
    latest = insert_run()
    insert_run(finished=False)  # still running: not reported
    open_alert()

    state, flow_run_id = run_flow()

    assert state.is_completed()
    report_id = state.result()
    with session_scope() as session:
        report = session.get(Report, report_id)
    assert report.kind == "capacity"
    assert report.capacity_run_id == latest != previous
    assert report.flow_run_id == flow_run_id
    assert report.summary["at_risk"] == 1 and report.summary["open_alerts"] == 1
    assert report.summary["insufficient_data"] == 1
    assert report.html_bytes == len(report.html.encode()) and report.pdf_bytes == len(report.pdf)
    assert "WS-DISK runs out of disk first." in report.html
    assert report.html.count("plotly.js (basic - minified) v") == 1
    document = pypdfium2.PdfDocument(report.pdf)
    text = "".join(page.get_textpage().get_text_range() for page in document)
    assert "WS-DISK" in text and "WS-NEW · Memory" in text and "disk 91 % for 3 samples" in text

    artifacts = artifacts_of(flow_run_id)
    assert set(artifacts) == {"report-summary", "report-ftas-at-risk", "report-link"}
    assert "| 1 | 1 | 0 | 1 | 1 | deterministic analyst |" in artifacts["report-summary"].data
    table = json.loads(artifacts["report-ftas-at-risk"].data)
    assert [(row["workstation"], row["resource"]) for row in table] == [("WS-DISK", "Disk")]
    assert table[0]["p50"] == _expected_date(latest)
    assert table[0]["risk"] == "likely"
    html = markdown_links(artifacts["report-link"].data)[report.title]
    expires_at = check_signed(html, f"/api/v1/reports/{report_id}.html")
    summary = markdown_links(artifacts["report-summary"].data)
    assert summary["HTML"] == html
    assert check_signed(summary["PDF"], f"/api/v1/reports/{report_id}.pdf") == expires_at
    assert f"open until {expires_at:%Y-%m-%d %H:%M} UTC" in artifacts["report-link"].description


def _expected_date(run_id: uuid.UUID) -> str:
    with session_scope() as session:
        saturation = session.scalar(
            select(CapacityForecast.saturation_date).where(
                CapacityForecast.run_id == run_id, CapacityForecast.workstation == "WS-DISK"
            )
        )
    return f"{saturation:%Y-%m-%d}"


def test_a_named_run_is_reported_even_when_a_newer_one_exists() -> None:
    named = insert_run(started_ago=timedelta(days=7))
    insert_run()
    state, _ = run_flow(capacity_run_id=named)
    with session_scope() as session:
        report = session.get(Report, state.result())
    assert report.capacity_run_id == named


def test_without_any_capacity_run_the_report_covers_the_estate() -> None:
    open_alert("WS-LINK")
    state, flow_run_id = run_flow()
    with session_scope() as session:
        report = session.get(Report, state.result())
    assert report.kind == "estate" and report.capacity_run_id is None
    assert report.title.startswith("Estate report ")
    assert "WS-LINK" in report.html and "<script" not in report.html
    assert report.pdf.startswith(b"%PDF-")
    summary = artifacts_of(flow_run_id)["report-summary"].data
    assert "| 0 | 0 | 0 | 1 | no capacity run |" in summary


@pytest.mark.parametrize("finished", [None, False])
def test_an_unknown_or_unfinished_run_fails_clearly_and_stores_nothing(finished) -> None:
    run_id = uuid.uuid4() if finished is None else insert_run(finished=False)
    state, _ = run_flow(capacity_run_id=run_id)
    assert state.is_failed()
    reason = "does not exist" if finished is None else "has not finished"
    with pytest.raises(LookupError, match=f"capacity run {run_id} {reason}"):
        state.result()
    with session_scope() as session:
        assert session.scalar(select(func.count()).select_from(Report)) == 0
