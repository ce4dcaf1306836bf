"""Reports: the list of rendered reports, and each one as HTML or PDF."""

import re
import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response, status
from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import SessionDep, WorkflowsReadKey
from dashboards.reports.html import content_security_policy
from resync.db.models import Report

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])

METADATA = (
    Report.id,
    Report.kind,
    Report.title,
    Report.created_at,
    Report.flow_run_id,
    Report.capacity_run_id,
    Report.summary,
    Report.html_bytes,
    Report.pdf_bytes,
)


class ReportPublic(BaseModel):
    id: uuid.UUID
    kind: str
    title: str
    created_at: datetime
    flow_run_id: uuid.UUID | None
    capacity_run_id: uuid.UUID | None
    summary: dict[str, Any]
    html_bytes: int
    pdf_bytes: int
    html_url: str
    pdf_url: str


class ReportsPublic(BaseModel):
    data: list[ReportPublic]
    count: int


def _find(session: Session, report_id: uuid.UUID, column: Any) -> tuple[str, Any]:
    row = session.execute(select(Report.title, column).where(Report.id == report_id)).first()
    if row is None:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"Report {report_id} not found"
        )
    return row[0], row[1]


@router.get("")
def read_reports(session: SessionDep, _key: WorkflowsReadKey) -> ReportsPublic:
    """Every report, newest first: what it covers and where to read it (not the documents)."""
    rows = session.execute(
        select(*METADATA).order_by(Report.created_at.desc(), Report.id.desc())
    ).all()
    data = [
        ReportPublic(
            **row._asdict(),
            html_url=f"{router.prefix}/{row.id}.html",
            pdf_url=f"{router.prefix}/{row.id}.pdf",
        )
        for row in rows
    ]
    count = session.scalar(select(func.count()).select_from(Report))
    return ReportsPublic(data=data, count=count or 0)


@router.get("/{report_id}.html", response_class=Response)
def read_report_html(report_id: uuid.UUID, session: SessionDep, _key: WorkflowsReadKey):
    """The report as one self-contained HTML page (its inline scripts allowed, nothing fetched)."""
    _, html = _find(session, report_id, Report.html)
    return Response(
        content=html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": content_security_policy(html)},
    )


@router.get("/{report_id}.pdf", response_class=Response)
def read_report_pdf(report_id: uuid.UUID, session: SessionDep, _key: WorkflowsReadKey):
    """The report as a printable PDF (A4 landscape)."""
    title, pdf = _find(session, report_id, Report.pdf)
    file_name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".pdf"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{file_name}"'},
    )
