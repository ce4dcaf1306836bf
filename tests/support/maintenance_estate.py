"""A synthetic estate (`resync.demo.simulation`) written to the test database's history."""

from datetime import UTC, datetime

from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import JobExecution, Workstation, WorkstationMetrics
from resync.demo.simulation import Estate, generate_estate

# FTA001 needs a review (extend_filesystem is never auto-approvable), FTA002 is healthy.
REVIEWED_ESTATE = ("disk_filling", "healthy")
# Confident findings whose actions are all auto-approvable: no review.
AUTO_APPROVED_ESTATE = ("message_file_filling", "healthy")


def load_estate(labels: tuple[str, ...], days: int = 21, seed: int = 7) -> Estate:
    """Generate an estate ending now and store its samples, job runs and FTAs."""
    estate = generate_estate(labels, days=days, now=datetime.now(UTC), seed=seed)
    metrics = estate.metrics.with_row_index("inbox_id", offset=1).to_dicts()
    jobs = estate.jobs.drop("received_at").to_dicts()
    with get_engine().begin() as connection:
        connection.execute(insert(WorkstationMetrics), metrics)
        connection.execute(insert(JobExecution), jobs)
        connection.execute(
            insert(Workstation),
            [
                {
                    "name": name,
                    "last_sample_at": estate.now,
                    "latency_method": "icmp",
                    "host": facts,
                }
                for name, facts in estate.host_facts.items()
            ],
        )
    return estate
