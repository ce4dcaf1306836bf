"""The maintenance loop end to end on the demo estate, with the time each step took.

Beside the accuracy benchmark (`benchmarks/maintenance_accuracy.py`): the demo estate
(`resync.demo.estate`, its disk-filling FTA and healthy ones, 30 days of 5-minute samples) in a
temporary PostgreSQL, the `predictive-maintenance` flow under a temporary Prefect server, the
fake master (`resync.demo.master`) on 127.0.0.1. Steps: the disk filling predicted (the flow
pauses for its review) → the review approved through Prefect's Resume call → each approved
action submitted as an ad hoc job through the fake master → the job ended → the simulated FTA
sends its next sample, its disk lower (as in `make run`'s demo: the stdlist clean-up frees the
job logs the disk filled with, the extension grows the file system) → the effect recorded and
the finding resolved.

The baseline, in the same run on a fresh database: the same scenario as a dry run (the default,
`RESYNC_MAINTENANCE_EXECUTE_ACTIONS` unset): nothing submitted, nothing to see in the samples.

    .venv/bin/python -m benchmarks.maintenance_end_to_end [--workstations 4] [--days 30]
"""

import argparse
import json
import os
import random
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from benchmarks.machine import describe_machine
from resync.db.engine import get_engine, session_scope
from resync.db.models import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
    Workstation,
    WorkstationMetrics,
)
from resync.demo.adhoc_jobs import AdHocRun
from resync.demo.estate import FtaProfile, demo_estate, history, sample
from resync.demo.fta_changes import FILE_NAME, DemoFtas, apply_changes, read_changes
from resync.demo.master import FakeHwa
from resync.settings import get_settings
from tests.support.postgres import PostgresServer

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "maintenance_end_to_end.json"
VOLUME = "/dev/mapper/twsvg-twslv"


def store_estate(profiles: list[FtaProfile], days: int, end: datetime) -> int:
    """The estate's samples and FTAs, as the ingest flow leaves them in history."""
    rows = []
    for number, payload in enumerate(history(profiles, days, timedelta(minutes=5), end), 1):
        rows.append(_row(payload, number))
    with get_engine().begin() as connection:
        connection.execute(insert(WorkstationMetrics), rows)
        connection.execute(
            insert(Workstation),
            [
                {
                    "name": profile.name,
                    "last_sample_at": end,
                    "latency_method": "icmp",
                    "host": {"disk_total_gb": profile.disk_total_gb, "logical_volume": VOLUME},
                }
                for profile in profiles
            ],
        )
    return len(rows)


def _row(payload: dict[str, Any], inbox_id: int) -> dict[str, Any]:
    return {
        "workstation": payload["workstation"],
        "sample_time": datetime.fromisoformat(payload["timestamp"].replace("Z", "+00:00")),
        "inbox_id": inbox_id,
        "latency_method": payload["latency_method"],
        **payload["metrics"],
        **payload["tws"],
    }


class SimulatedFta:
    """The disk-filling FTA after its jobs, as in `make run`'s demo (`resync.demo.fta_changes`):
    its next sample, taken when a job ends, shows what the job changed."""

    def __init__(self, profile: FtaProfile, start: datetime, changes: Path) -> None:
        self.profile, self.start = profile, start
        self.ftas = DemoFtas({profile.name: profile}, start, changes)
        self.rng = random.Random(3)
        self.samples: list[datetime] = []

    def job_ended(self, run: AdHocRun) -> None:
        self.ftas.job_ended(run)
        moment = datetime.now(UTC)
        payload = sample(self.profile, moment, self.start, self.rng)
        payload = apply_changes(payload, read_changes(self.ftas.path))
        with get_engine().begin() as connection:
            connection.execute(
                insert(WorkstationMetrics), [{**_row(payload, 10**9), "sample_time": moment}]
            )
        self.samples.append(moment)


def approve_when_paused(workstation: str, approved_at: list[datetime]) -> None:
    """Answer the review as a reviewer does through Prefect's Resume call: approve the actions
    on `workstation`, reject the others."""
    from prefect.flow_runs import resume_flow_run

    from tests.support.maintenance_prefect import action_ids, review_input, wait_for_paused_run

    paused = wait_for_paused_run(timeout=600)
    schema = review_input(paused, "schema")
    answer = {
        action: "approve"
        if schema["properties"][action]["title"].startswith(f"{workstation}:")
        else "reject"
        for action in action_ids(schema)
    }
    resume_flow_run(paused.id, run_input={**answer, "reviewer": "benchmark", "comment": "ok"})
    approved_at.append(datetime.now(UTC))


def scenario(profiles: list[FtaProfile], days: int, *, execute: bool) -> dict[str, Any]:
    """Load the estate, run the flow with its review approved; the time of each step."""
    from flows.predictive_maintenance import predictive_maintenance

    end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    samples = store_estate(profiles, days, end)
    [filling] = [profile for profile in profiles if profile.scenario == "disk_filling"]
    changes = Path(tempfile.mkdtemp()) / FILE_NAME
    fta = SimulatedFta(filling, end - timedelta(days=days), changes)
    with FakeHwa(workstations={profile.name for profile in profiles}) as master:
        master.adhoc.start_after, master.adhoc.run_seconds = 1.0, 2.0
        master.adhoc.on_end = fta.job_ended
        os.environ |= {
            "RESYNC_HWA_URL": master.url,
            "RESYNC_HWA_USER": master.user,
            "RESYNC_HWA_PASSWORD": master.password,
            "RESYNC_MAINTENANCE_EXECUTE_ACTIONS": str(execute).lower(),
            "RESYNC_MAINTENANCE_ACTION_POLL_SECONDS": "0.5",
            "RESYNC_MAINTENANCE_EFFECT_WAIT_SECONDS": "120",
            "RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS": "1",
        }
        get_settings.cache_clear()
        approved: list[datetime] = []
        reviewer = threading.Thread(target=approve_when_paused, args=(filling.name, approved))
        reviewer.start()
        began = datetime.now(UTC)
        predictive_maintenance()
        finished = datetime.now(UTC)
        reviewer.join()
        submitted = len(master.adhoc.runs)
    return {
        "samples": samples,
        "jobs_submitted": submitted,
        **_steps(filling.name, began, approved[0], finished, fta.samples),
    }


def _steps(
    workstation: str,
    began: datetime,
    approved: datetime,
    finished: datetime,
    drops: list[datetime],
) -> dict[str, Any]:
    with session_scope() as session:
        run = session.scalars(select(MaintenanceRun)).one()
        finding = session.scalars(
            select(MaintenanceFinding).where(MaintenanceFinding.workstation == workstation)
        ).one()
        reviews = session.scalars(select(MaintenanceReview)).all()
        executions = session.scalars(
            select(MaintenanceActionExecution).order_by(MaintenanceActionExecution.started_at)
        ).all()
    actions = {action["action_id"] for action in finding.actions}

    def since(moment: datetime | None) -> float | None:
        return None if moment is None else round((moment - began).total_seconds(), 2)

    return {
        "finding": f"{finding.workstation} {finding.kind} {finding.confidence:.0%}",
        "outcome": finding.outcome,
        "seconds_from_flow_start": {
            "predicted (findings stored, review asked)": since(run.findings_at),
            "review answered (Resume)": since(approved),
            "decisions recorded": since(max(review.decided_at for review in reviews)),
            "actions": [
                {
                    "command": execution.command,
                    "job": execution.job_name,
                    "status": execution.job_status,
                    "return_code": execution.exit_code,
                    "audit row written": since(execution.started_at),
                    "job submitted": since(execution.submitted_at),
                    "job ended": since(execution.finished_at),
                    "next sample": since(execution.effect_observed_at),
                    "effect": execution.effect,
                    "disk before → after": [execution.effect_before, execution.effect_after],
                }
                for execution in executions
                if execution.action_id in actions
            ],
            "samples sent by the simulated FTA": [since(moment) for moment in drops],
            "flow ended (effects recorded, finding settled)": since(finished),
        },
    }


def main() -> None:
    from alembic import command
    from prefect.testing.utilities import prefect_test_harness

    from resync.cli import alembic_config

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workstations", type=int, default=4)
    parser.add_argument("--days", type=int, default=30)
    arguments = parser.parse_args()
    profiles = demo_estate(arguments.workstations)
    results: dict[str, Any] = {"machine": describe_machine(), "workstations": len(profiles)}
    server = PostgresServer().start()
    try:
        with prefect_test_harness(server_startup_timeout=120):
            for name, execute in (("executed", True), ("baseline_dry_run", False)):
                url = server.create_database(f"bench_maintenance_{name}")
                command.upgrade(alembic_config(url), "head")
                os.environ["RESYNC_DATABASE_URL"] = url
                os.environ["RESYNC_MAINTENANCE_LOGICAL_VOLUME"] = VOLUME
                get_settings.cache_clear()
                get_engine.cache_clear()
                results[name] = scenario(profiles, arguments.days, execute=execute)
                get_engine().dispose()
                print(name, json.dumps(results[name], indent=2, default=str), flush=True)
    finally:
        server.stop()
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
