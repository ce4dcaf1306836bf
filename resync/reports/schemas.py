"""Schemas of the reports API: what a stored report covers and where to read it, and the list."""

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class ReportPublic(BaseModel):
    """A stored report without its documents: the HTML and the PDF are read at their URLs."""

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
