"""Predictive maintenance on an estate with one failing FTA and two problems of one kind on another.

Two job problems of one kind on one FTA used to hit UNIQUE(run_id, workstation, kind) when the
findings were stored, and an error on one FTA failed the whole run: nothing was stored for any.
"""

import json
from datetime import UTC, datetime

import numpy as np
import polars as pl
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from sqlalchemy import insert, select

import tasks.maintenance
from flows.predictive_maintenance import predictive_maintenance
from resync.db.engine import get_engine, session_scope
from resync.db.models import (
    Alert,
    JobExecution,
    MaintenanceFinding,
    Workstation,
    WorkstationMetrics,
)
from resync.demo.simulation import generate_estate
from resync.settings import get_settings

pytestmark = pytest.mark.usefixtures("prefect_api")

LABELS = ("job_failures", "healthy", "message_file_filling", "healthy", "disk_filling")
FAILING = "FTA005"


@pytest.fixture(autouse=True)
def quick_review(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS", "1")
    get_settings.cache_clear()


def store_estate() -> None:
    """A generated estate where FTA002's memory is a sawtooth with a rising floor (a leak under a
    daily restart) and FTA001's invoicing failures hit a second job too."""
    estate = generate_estate(LABELS, days=21, now=datetime.now(UTC), seed=7)
    days = (estate.metrics["sample_time"] - estate.metrics["sample_time"].min()).dt.total_seconds()
    days = days.to_numpy() / 86_400
    sawtooth = np.minimum(35 + 1.5 * days + 14 * ((days - 2 / 24) % 1.0), 100.0)
    metrics = estate.metrics.with_columns(
        pl.when(pl.col("workstation") == "FTA002")
        .then(pl.Series(sawtooth))
        .otherwise(pl.col("memory_percent"))
        .alias("memory_percent")
    )
    failing_job = estate.jobs.filter(
        pl.col("workstation") == "FTA001", pl.col("job_name") == "RUN_INVOICES"
    )
    jobs = pl.concat(
        [
            estate.jobs,
            failing_job.with_columns(
                pl.lit("RUN_CREDITS").alias("job_name"), (pl.col("run_id") + "-CR").alias("run_id")
            ),
        ]
    )
    with get_engine().begin() as connection:
        connection.execute(
            insert(WorkstationMetrics), metrics.with_row_index("inbox_id", offset=1).to_dicts()
        )
        connection.execute(insert(JobExecution), jobs.drop("received_at").to_dicts())
        connection.execute(
            insert(Workstation),
            [
                {"name": name, "last_sample_at": estate.now, "host": facts}
                for name, facts in estate.host_facts.items()
            ],
        )


def test_a_failing_fta_is_left_out_and_named_and_the_others_are_stored(monkeypatch) -> None:
    store_estate()
    analyze = tasks.maintenance.degradation_evidence

    def failing_on_one_fta(metrics, jobs, **options):
        if FAILING in set(metrics["workstation"]):
            raise ValueError(f"series of {FAILING} cannot be fitted")
        return analyze(metrics, jobs, **options)

    monkeypatch.setattr(tasks.maintenance, "degradation_evidence", failing_on_one_fta)

    result = predictive_maintenance()

    assert result["partial"] is True
    assert result["fta_errors"] == {FAILING: f"ValueError: series of {FAILING} cannot be fitted"}
    with session_scope() as session:
        findings = {(f.workstation, f.kind): f for f in session.scalars(select(MaintenanceFinding))}
        alerts = {
            (alert.workstation, alert.rule): alert.message
            for alert in session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        }
    assert set(findings) == {
        ("FTA001", "job_failures"),
        ("FTA002", "memory_leak"),
        ("FTA003", "message_file_filling"),
    }
    failures = findings[("FTA001", "job_failures")]
    assert {failures.resource, failures.evidence["merged"][0]["resource"]} == {
        "job:BILLING.RUN_INVOICES",
        "job:BILLING.RUN_CREDITS",
    }
    assert " Also: " in failures.evidence_summary
    assert alerts[(FAILING, "maintenance_analysis_failed")] == (
        "maintenance failed on this FTA, the others were processed: "
        f"ValueError: series of {FAILING} cannot be fitted"
    )
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["maintenance-fta-errors"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert rows == [{"workstation": FAILING, "error": result["fta_errors"][FAILING]}]

    monkeypatch.setattr(tasks.maintenance, "degradation_evidence", analyze)
    again = predictive_maintenance()

    assert (again["partial"], again["fta_errors"]) == (False, {})
    with session_scope() as session:
        alert = session.scalars(select(Alert).where(Alert.workstation == FAILING)).one()
    assert alert.resolved_at is not None
