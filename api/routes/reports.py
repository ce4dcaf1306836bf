"""Reports: the list of rendered reports, and each one as HTML or PDF (to a key, or to the
signed link in a Prefect artifact)."""

import re
import uuid
from typing import Any, Literal

from fastapi import APIRouter, HTTPException, Response, status
from sqlalchemy.orm import Session

from api.deps import SessionDep, WorkflowsReadKey, WorkflowsReadKeyOrLink
from resync.reports.content_security import content_security_policy
from resync.reports.schemas import ReportPublic, ReportsPublic
from resync.reports.store import find_report_document, list_reports

router = APIRouter(prefix="/api/v1/reports", tags=["reports"])


def _find(
    session: Session, report_id: uuid.UUID, document: Literal["html", "pdf"]
) -> tuple[str, Any]:
    found = find_report_document(session, report_id, document)
    if found is None:
        raise HTTPException(
            status_code=status.HTTP_404_NOT_FOUND, detail=f"Report {report_id} not found"
        )
    return found


@router.get("")
def read_reports(session: SessionDep, _key: WorkflowsReadKey) -> ReportsPublic:
    """Every report, newest first: what it covers and where to read it (not the documents)."""
    rows, count = list_reports(session)
    data = [
        ReportPublic(
            **row._asdict(),
            html_url=f"{router.prefix}/{row.id}.html",
            pdf_url=f"{router.prefix}/{row.id}.pdf",
        )
        for row in rows
    ]
    return ReportsPublic(data=data, count=count)


@router.get("/{report_id}.html", response_class=Response)
def read_report_html(report_id: uuid.UUID, session: SessionDep, _key: WorkflowsReadKeyOrLink):
    """The report as one self-contained HTML page (its inline scripts allowed, nothing fetched)."""
    _, html = _find(session, report_id, "html")
    return Response(
        content=html,
        media_type="text/html; charset=utf-8",
        headers={"Content-Security-Policy": content_security_policy(html)},
    )


@router.get("/{report_id}.pdf", response_class=Response)
def read_report_pdf(report_id: uuid.UUID, session: SessionDep, _key: WorkflowsReadKeyOrLink):
    """The report as a printable PDF (A4 landscape)."""
    title, pdf = _find(session, report_id, "pdf")
    file_name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".pdf"
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{file_name}"'},
    )
