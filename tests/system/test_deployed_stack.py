"""The stack as deployed: every deployment runs on a worker, a review waits paused past Prefect's
concurrency lease and the worker's heartbeats and is answered as the UI's Resume form does (only
the actions needing a person are asked), and a worker killed mid-graph leaves a run the next one
continues from its checkpoint.

Nothing runs in this process but HTTP calls and reads of the database: the flows run on the
worker, started through Prefect's REST API. The tests share one stack and run in order.
"""

import time
import uuid
from datetime import timedelta

import pytest
import yaml
from sqlalchemy import make_url, select
from sqlalchemy.orm import Session

from resync.db.connection_block import DATABASE_BLOCK
from resync.db.engine import make_engine
from resync.db.models import MaintenanceActionExecution, MaintenanceReview, MaintenanceRun, utcnow
from tests.support.maintenance_prefect import NODE_TASKS, action_ids
from tests.system.support.processes import ROOT
from tests.system.support.stack import (
    ENGINE_LEASE_RENEWAL_SECONDS,
    HISTORY_DEPLOYMENTS,
    INITIAL_LEASE_SECONDS,
    MAINTENANCE_STALE_SECONDS,
    WORK_POOL,
    WORKER_HEARTBEAT_SECONDS,
    DeployedStack,
)
from tests.system.support.stalled_claude import StalledClaude

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

DEPLOYMENTS = {
    d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]
}
MAINTENANCE = "predictive-maintenance"
# Past the engine's lease renewal, with room for its retries (≈ 3 s) to end in the crash.
PAUSE_SECONDS = ENGINE_LEASE_RENEWAL_SECONDS + 15
# The nodes before `recommend`, whose briefing the killed run was waiting for.
# The analysis, every node before the recommendations.
ANALYSIS_TASKS = NODE_TASKS[: NODE_TASKS.index("recommend_actions")]


def maintenance_run(stack: DeployedStack, flow_run_id: str) -> MaintenanceRun:
    with Session(make_engine(stack.database_url)) as session:
        return session.scalars(
            select(MaintenanceRun).where(MaintenanceRun.flow_run_id == uuid.UUID(flow_run_id))
        ).one()


def decisions(stack: DeployedStack, run_id: uuid.UUID) -> tuple[list, list]:
    with Session(make_engine(stack.database_url)) as session:
        reviews = session.scalars(
            select(MaintenanceReview).where(MaintenanceReview.run_id == run_id)
        )
        executions = session.scalars(
            select(MaintenanceActionExecution).where(MaintenanceActionExecution.run_id == run_id)
        )
        return list(reviews), list(executions)


def test_deploy_all_creates_every_deployment_as_prefect_yaml_declares(stack: DeployedStack) -> None:
    deployed = stack.prefect.deployments()

    assert set(deployed) == set(DEPLOYMENTS)
    for name, deployment in deployed.items():
        assert deployment["job_variables"]["env"] == {"RESYNC_DATABASE_BLOCK": DATABASE_BLOCK}
        assert deployment["pull_steps"] == [
            {"prefect.deployments.steps.set_working_directory": {"directory": str(ROOT)}}
        ], name
        for schedule in deployment["schedules"]:
            assert schedule["schedule"]["timezone"] == "UTC", name
    [capacity] = deployed["capacity-forecast"]["schedules"]
    assert capacity["schedule"]["cron"] == "0 1 * * 0"
    limits = {
        name: (d["global_concurrency_limit"] or {}).get("limit") for name, d in deployed.items()
    }
    assert limits[MAINTENANCE] is None
    assert limits["capacity-forecast"] == limits["auto-learning"] == 1
    # The deployer's database, its password a secret field Prefect does not show.
    block = stack.prefect.block_document("sqlalchemy-connector", DATABASE_BLOCK)
    connection = block["data"]["connection_info"]
    database = make_url(stack.database_url)
    assert (connection["database"], connection["port"]) == (database.database, database.port)
    assert connection["password"] == "********"


def test_a_review_waits_paused_past_the_lease_while_every_deployment_runs(
    stack: DeployedStack,
) -> None:
    prefect = stack.prefect
    review = prefect.run_deployment(MAINTENANCE)
    prefect.wait_for(review, "PAUSED", 240)
    paused_at = time.monotonic()
    beat_at_pause = prefect.worker_heartbeats(WORK_POOL)["worker-1"]
    run = maintenance_run(stack, review)
    assert run.status == "awaiting_review"

    # While the review waits: a second maintenance run ends at once, naming the live one...
    second = prefect.run_deployment(MAINTENANCE)
    prefect.wait_for(second, "COMPLETED", 120)
    named = (
        f"maintenance run {run.id} is still active (awaiting review, driven by flow run {review}"
    )
    stack.processes.wait_until(
        lambda: any(named in line for line in prefect.logs(second)), 30, f"the log line {named}"
    )
    assert maintenance_run(stack, review).status == "awaiting_review"
    # ...and every other deployment runs to completion (the history ones did before).
    others = set(DEPLOYMENTS) - {MAINTENANCE, *HISTORY_DEPLOYMENTS}
    for flow_run_id in [prefect.run_deployment(name) for name in sorted(others)]:
        prefect.wait_for(flow_run_id, "COMPLETED", 300)

    while time.monotonic() - paused_at < PAUSE_SECONDS:
        assert prefect.state(review) == "PAUSED", prefect.describe(
            prefect.flow_run(review), "left its pause"
        )
        time.sleep(5)
    beat_now = prefect.worker_heartbeats(WORK_POOL)["worker-1"]
    paused = prefect.flow_run(review)
    schema = prefect.review_input(paused, "schema")
    actions = action_ids(schema)
    assert actions, schema
    answer = {action: "approve" for action in actions}
    answer |= {"reviewer": "night shift", "comment": "approved after the morning check"}
    assert prefect.resume(review, answer)["status"] == "ACCEPT"
    prefect.wait_for(review, "COMPLETED", 180)

    history = prefect.state_history(review)
    [(_, pause_began)] = [state for state in history if state[0] == "PAUSED"]
    resumed = min(when for state, when in history if state == "RUNNING" and when > pause_began)
    paused_for = (resumed - pause_began).total_seconds()
    print(
        f"paused {paused_for:.0f} s; engine lease renewal every {ENGINE_LEASE_RENEWAL_SECONDS:.0f}"
        f" s, first lease {INITIAL_LEASE_SECONDS} s; worker heartbeat every "
        f"{WORKER_HEARTBEAT_SECONDS} s, last {beat_at_pause:%H:%M:%S} → {beat_now:%H:%M:%S}"
    )
    assert paused_for > ENGINE_LEASE_RENEWAL_SECONDS + 10 > INITIAL_LEASE_SECONDS
    assert beat_now - beat_at_pause > timedelta(seconds=ENGINE_LEASE_RENEWAL_SECONDS)
    reviews, executions = decisions(stack, run.id)
    reviewed = {r.action_id: r for r in reviews if r.source == "reviewer"}
    assert set(reviewed) == set(actions)
    assert {(r.decision, r.decided_by, r.comment, r.flow_run_id) for r in reviewed.values()} == {
        ("approved", "night shift", "approved after the morning check", uuid.UUID(review))
    }
    # Submitted at the Resume call, after the long pause, before the run recorded it.
    assert all(pause_began < r.submitted_at <= r.decided_at for r in reviewed.values())
    assert {r.source for r in reviews} <= {"reviewer", "auto_approved"}
    executed = {e.action_id: e for e in executions}
    assert set(actions) <= set(executed)
    assert all(executed[a].dry_run and executed[a].approved_by == "night shift" for a in actions)
    assert maintenance_run(stack, review).status == "finished"


def test_a_worker_killed_mid_graph_leaves_a_run_the_next_one_continues(
    stack: DeployedStack, stalled_claude: StalledClaude
) -> None:
    prefect = stack.prefect
    # This run's briefing asks Claude, which never answers: the graph stops after its analysis.
    claude = {
        "ANTHROPIC_API_KEY": "sk-ant-system-test",
        "RESYNC_ANTHROPIC_BASE_URL": stalled_claude.url,
    }
    killed = prefect.run_deployment(MAINTENANCE, job_variables={"env": claude})
    stack.processes.wait_until(
        stalled_claude.reached.is_set, 240, "the run to ask Claude for its briefing", "worker-1"
    )
    stack.processes.kill("worker-1")
    stack.start_worker("worker-2")
    abandoned = maintenance_run(stack, killed)

    def stale() -> bool:
        heartbeat = maintenance_run(stack, killed).heartbeat_at
        return utcnow() - heartbeat > timedelta(seconds=MAINTENANCE_STALE_SECONDS)

    stack.processes.wait_until(stale, 60, "the dead run's heartbeat to go stale")
    # Nobody answers this one's review: three seconds, then the timeout policy.
    unanswered = prefect.run_deployment(
        MAINTENANCE, job_variables={"env": {"RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS": "3"}}
    )
    prefect.wait_for(unanswered, "COMPLETED", 240)

    assert prefect.state(killed) == "CRASHED"
    continued = maintenance_run(stack, unanswered)
    assert (continued.id, continued.status) == (abandoned.id, "finished")
    before, after = prefect.completed_tasks(killed), prefect.completed_tasks(unanswered)
    assert {name: before[name] for name in NODE_TASKS} == {
        **dict.fromkeys(NODE_TASKS, 0),
        **dict.fromkeys([*ANALYSIS_TASKS, "recommend_actions"], 1),
    }
    assert {name: after[name] for name in NODE_TASKS} == {
        **dict.fromkeys(ANALYSIS_TASKS, 0),
        **dict.fromkeys(NODE_TASKS[len(ANALYSIS_TASKS) :], 1),
    }
    reviews, executions = decisions(stack, continued.id)
    # The asked actions are rejected by the timeout policy; the others run by their policy.
    asked = [r for r in reviews if r.source != "auto_approved"]
    assert asked
    assert {(r.decision, r.source, r.decided_by, r.flow_run_id) for r in asked} == {
        ("rejected", "timeout_policy", None, uuid.UUID(unanswered))
    }
    auto_approved = {r.action_id for r in reviews if r.source == "auto_approved"}
    assert {e.action_id for e in executions} == auto_approved
