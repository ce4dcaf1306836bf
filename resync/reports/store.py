"""Storing rendered reports in `reports`, and reading them back: the list, or one document.

The list reads only the metadata columns: a report's HTML and PDF run to megabytes and are
read one at a time, by their own URL.
"""

import uuid
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Row, func, select
from sqlalchemy.orm import Session

from resync.db.models import Report

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


def add_report(
    session: Session,
    report_id: uuid.UUID,
    kind: str,
    title: str,
    created_at: datetime,
    flow_run_id: uuid.UUID | None,
    capacity_run_id: uuid.UUID | None,
    summary: dict[str, Any],
    html: str,
    pdf: bytes,
) -> None:
    """A `reports` row with both documents and their sizes in bytes."""
    session.add(
        Report(
            id=report_id,
            kind=kind,
            title=title,
            created_at=created_at,
            flow_run_id=flow_run_id,
            capacity_run_id=capacity_run_id,
            summary=summary,
            html=html,
            html_bytes=len(html.encode()),
            pdf=pdf,
            pdf_bytes=len(pdf),
        )
    )


def list_reports(session: Session) -> tuple[list[Row], int]:
    """Every report's metadata, newest first, and how many there are."""
    rows = session.execute(
        select(*METADATA).order_by(Report.created_at.desc(), Report.id.desc())
    ).all()
    count = session.scalar(select(func.count()).select_from(Report))
    return list(rows), count or 0


def find_report_document(
    session: Session, report_id: uuid.UUID, document: Literal["html", "pdf"]
) -> tuple[str, Any] | None:
    """The title and the HTML (text) or PDF (bytes) of a report, or None when there is none."""
    column = Report.html if document == "html" else Report.pdf
    row = session.execute(select(Report.title, column).where(Report.id == report_id)).first()
    return None if row is None else (row[0], row[1])


def latest_report(session: Session) -> tuple[uuid.UUID, str] | None:
    """The id and title of the newest report, whose charts a reviewer may want to see."""
    row = session.execute(
        select(Report.id, Report.title).order_by(Report.created_at.desc()).limit(1)
    ).first()
    return None if row is None else (row.id, row.title)
