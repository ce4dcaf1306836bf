"""Report generation: the capacity (or estate) report as HTML and PDF, stored and published."""

import uuid
from datetime import UTC, datetime

from prefect import flow
from prefect.runtime import flow_run
from prefect.utilities.annotations import quote

from tasks.reports import (
    load_report_data,
    publish_report_artifacts,
    render_report_html,
    render_report_pdf,
    store_report,
)


def _run_name() -> str:
    run_id = flow_run.parameters.get("capacity_run_id")
    about = f"capacity-{str(run_id)[:8]}" if run_id else "latest"
    return f"report-{about}-{datetime.now(UTC):%Y%m%d-%H%M%S}"


@flow(name="report-generation", flow_run_name=_run_name)
def report_generation(capacity_run_id: uuid.UUID | None = None) -> uuid.UUID:
    """Render the report of a capacity run (the latest finished one by default) and store it.

    With no finished capacity run yet, the report covers the estate's open alerts only.
    """
    # quote(): Prefect would otherwise walk every number of the report's data (seconds per
    # task for 1,000 FTAs) looking for upstream results in it.
    data = quote(load_report_data(capacity_run_id))
    html = render_report_html(data)
    pdf = render_report_pdf(data)
    report_id = store_report(data, html, pdf)
    publish_report_artifacts(report_id, data)
    return report_id


if __name__ == "__main__":
    report_generation()
