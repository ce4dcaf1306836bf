"""Report tasks: load a capacity run and the open alerts, render HTML and PDF, store, publish."""

import uuid
from datetime import UTC, datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import (
    create_link_artifact,
    create_markdown_artifact,
    create_table_artifact,
)
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from dashboards.reports.data import (
    RESOURCE_LABELS,
    CapacityRun,
    Forecast,
    OpenAlert,
    ReportData,
)
from dashboards.reports.html import render_html
from dashboards.reports.pdf import render_pdf
from resync.alerts.store import open_alerts_by_severity
from resync.capacity.finished_runs import find_forecast_run, latest_finished_run, run_forecasts
from resync.capacity.scope import describe_scope, report_title
from resync.db.engine import session_scope
from resync.links import link_expiry, report_path, signed_url
from resync.reports.store import add_report
from resync.settings import get_settings


class CapacityRunNotFound(LookupError):
    """The requested capacity run does not exist or has not finished."""


def retry_unless_not_found(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a read that failed for a passing reason, not for a run that is not there."""
    try:
        state.result()
    except CapacityRunNotFound:
        return False
    except Exception:
        return True
    return False


def _format_date(value: datetime | None) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d}"


@task(
    retries=3,
    retry_delay_seconds=[2, 10, 30],
    retry_condition_fn=retry_unless_not_found,
    cache_policy=NONE,
)
def load_report_data(capacity_run_id: uuid.UUID | None = None) -> ReportData:
    """The run's forecasts (the latest finished estate run by default) and every open alert."""
    now = datetime.now(UTC)
    with session_scope() as session:
        if capacity_run_id is None:
            run = latest_finished_run(session)
        else:
            run = find_forecast_run(session, capacity_run_id)
            if run is None or run.finished_at is None:
                state = "does not exist" if run is None else "has not finished"
                raise CapacityRunNotFound(
                    f"capacity run {capacity_run_id} {state}; "
                    "omit capacity_run_id for the latest finished run"
                )
        forecasts = run_forecasts(session, run.id) if run is not None else []
        alerts = open_alerts_by_severity(session)
        if run is not None:
            scope = describe_scope(
                run.scope, run.workstation_filter, run.resources, run.history_days
            )
        return ReportData(
            kind="capacity" if run is not None else "estate",
            title=(
                report_title(run.started_at, run.id, scope)
                if run is not None
                else f"Estate report {now:%Y-%m-%d}"
            ),
            scope=scope if run is not None else None,
            generated_at=now,
            run=CapacityRun.model_validate(run) if run is not None else None,
            forecasts=[Forecast.model_validate(row) for row in forecasts],
            alerts=[OpenAlert.model_validate(row) for row in alerts],
        )


@task(cache_policy=NONE)
def render_report_html(data: ReportData) -> str:
    """The interactive, self-contained HTML (plotly.js inlined once)."""
    return render_html(data)


@task(retries=2, retry_delay_seconds=[5, 30], cache_policy=NONE)
def render_report_pdf(data: ReportData) -> bytes:
    """The PDF: charts rendered by kaleido, the page printed by headless Chromium."""
    return render_pdf(data)


@task(retries=3, retry_delay_seconds=[2, 10, 30], cache_policy=NONE)
def store_report(data: ReportData, html: str, pdf: bytes) -> uuid.UUID:
    """A `reports` row with the HTML, the PDF and the summary, in one transaction."""
    report_id = uuid.uuid4()
    with session_scope() as session:
        add_report(
            session,
            report_id,
            kind=data.kind,
            title=data.title,
            created_at=data.generated_at,
            flow_run_id=uuid.UUID(flow_run.id) if flow_run.id else None,
            capacity_run_id=data.run.id if data.run is not None else None,
            summary=data.summary(),
            html=html,
            pdf=pdf,
        )
    get_run_logger().info(
        "stored report %s: HTML %d bytes, PDF %d bytes", report_id, len(html.encode()), len(pdf)
    )
    return report_id


@task(cache_policy=NONE)
def publish_report_artifacts(report_id: uuid.UUID, data: ReportData) -> None:
    """A markdown summary, a table of the FTAs at risk and signed links to the HTML and the PDF
    (a browser opens them without an API key until they expire)."""
    summary = data.summary()
    settings = get_settings()
    expires_at = link_expiry(settings.link_lifetime_seconds)
    html_url = signed_url(report_path(report_id, "html"), expires_at, settings=settings)
    pdf_url = signed_url(report_path(report_id, "pdf"), expires_at, settings=settings)
    until = f"{expires_at:%Y-%m-%d %H:%M} UTC"
    if data.run is None:
        analyst = "no capacity run"
    elif data.run.analyst == "deterministic":
        analyst = "deterministic analyst"
    else:
        analyst = data.run.analyst
    create_markdown_artifact(
        key="report-summary",
        markdown=(
            f"### {data.title}\n\n"
            "| FTAs at risk | likely saturations | possible (watched) | too little data "
            "| open alerts | insight by |\n|---|---|---|---|---|---|\n"
            f"| {summary['workstations_at_risk']} | {summary['likely_saturations']} "
            f"| {summary['possible_saturations']} | {summary['insufficient_data']} "
            f"| {summary['open_alerts']} | {analyst} |\n\n"
            f"[HTML]({html_url}) · [PDF]({pdf_url}) (links open until {until})\n"
        ),
        description=f"{data.title}: the counts and where to read it",
    )
    create_table_artifact(
        key="report-ftas-at-risk",
        table=[
            {
                "workstation": row.workstation,
                "resource": RESOURCE_LABELS[row.resource],
                "risk": row.risk,
                "order_by": _format_date(row.order_by_date),
                "p10": _format_date(row.saturation_date_earliest),
                "p50": _format_date(row.saturation_date),
                "p90": _format_date(row.saturation_date_latest),
                "probability": (
                    "—" if row.crossing_probability is None else f"{row.crossing_probability:.0%}"
                ),
                "status": row.status,
            }
            for row in data.at_risk()
        ],
        description=(
            f"{summary['at_risk']} FTA resources at risk within the horizon, by order-by date "
            "then probability"
        ),
    )
    create_link_artifact(
        key="report-link",
        link=html_url,
        link_text=data.title,
        description=f"The report as HTML, open until {until} (the PDF: report-summary)",
    )
