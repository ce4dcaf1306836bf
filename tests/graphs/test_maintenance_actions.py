"""Approved actions run through the fake master by the maintenance graph: the ad hoc job's
request, its end, return code and joblog, the effect in the next samples, the finding's outcome,
the notification of a failed one, and every refusal (no master, unknown workstation, user not
allowed, master unavailable)."""

from collections.abc import Iterator
from datetime import timedelta

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import select

from graphs.maintenance.graph import build_graph
from resync.db.engine import session_scope
from resync.db.models import MaintenanceActionExecution, MaintenanceFinding, MaintenanceReview
from resync.maintenance.claims import claim_run
from resync.settings import get_settings
from tasks.maintenance_effects import check_action_effects, notify_failed_actions
from tests.support.flow_run import inside_a_flow
from tests.support.maintenance_estate import AUTO_APPROVED_ESTATE, load_estate
from tests.support.maintenance_master import add_sample, master_running_actions, submissions
from tests.support.webhook import notification_webhook

pytestmark = pytest.mark.usefixtures("prefect_api")


def run_graph() -> dict:
    with session_scope() as session:
        run_id = str(claim_run(session, None, timedelta(minutes=3)).run_id)
    graph = build_graph().compile(checkpointer=InMemorySaver())
    return inside_a_flow(
        lambda: graph.invoke({"run_id": run_id}, {"configurable": {"thread_id": run_id}})
    )


def stored() -> tuple[MaintenanceActionExecution, MaintenanceFinding, MaintenanceReview]:
    with session_scope() as session:
        [execution] = session.scalars(select(MaintenanceActionExecution)).all()
        [finding] = session.scalars(select(MaintenanceFinding)).all()
        [review] = session.scalars(select(MaintenanceReview)).all()
    return execution, finding, review


@pytest.fixture
def webhook(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict]]:
    """The notification block of alerts, posting to a local webhook; what it received."""
    with notification_webhook(monkeypatch, "resync-test-maintenance") as received:
        yield received


def test_an_approved_action_runs_on_its_fta_and_its_effect_resolves_the_finding(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    with master_running_actions(monkeypatch, workstations={"FTA001", "FTA002"}) as master:
        state = run_graph()
        [request] = [r for r in master.requests if r.path.endswith("submit-ad-hoc-job")]

    execution, finding, review = stored()
    [job] = master.adhoc.runs
    # The catalogue's argv, as the task string of a UNIX command run as the TWS user.
    assert (job.workstation, job.user_name) == ("FTA001", "twsuser")
    assert job.task_string == f"evtsize Mailbox.msg {execution.argv[2]}"
    assert job.job_name == execution.job_name and job.job_name.startswith("RSY_RESIZE_MESSAGE_")
    assert request.headers["Authorization"].startswith("Basic ")
    assert (execution.job_id, execution.job_status, execution.exit_code) == (
        f"FTA001;JOBS;{job.job_name}",
        "SUCC",
        0,
    )
    assert execution.submitted_at is not None and execution.dry_run is False
    assert f"= JOB       : FTA001#JOBS.{job.job_name}" in execution.output
    assert "= Exit Status           : 0" in execution.output
    assert state["executions"][0]["job_status"] == "SUCC"
    # No sample since the job ended: the effect is still to be seen.
    assert (execution.effect, finding.outcome) == (None, None)
    assert review.decision == "approved"

    before = execution.output
    add_sample("FTA001", message_files={"Mailbox.msg": 12.0})
    effects = check_action_effects(str(execution.run_id))

    execution, finding, _ = stored()
    [effect] = effects
    assert (effect["effect"], effect["metric"], effect["after"]) == (
        "helped",
        "message_file:Mailbox.msg",
        12.0,
    )
    assert effect["before"] > 12.5
    assert (execution.effect, execution.effect_before, execution.effect_after) == (
        "helped",
        effect["before"],
        12.0,
    )
    assert execution.output == before
    assert finding.outcome == "resolved"


def test_an_action_whose_job_abends_leaves_the_finding_open_and_notifies(
    database_url: str, monkeypatch: pytest.MonkeyPatch, webhook: list[dict]
) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    with master_running_actions(monkeypatch) as master:
        master.adhoc.run = lambda _ws, _task: (4, "evtsize: Mailbox.msg: password=hunter2 denied")
        run_graph()
    assert notify_failed_actions() == 0  # each finding is notified once

    execution, finding, _ = stored()
    assert (execution.job_status, execution.exit_code) == ("ABEND", 4)
    assert "hunter2" not in execution.output and "password=" in execution.output
    assert (finding.outcome, finding.notified_at is not None) == ("action_failed", True)
    [message] = webhook
    assert message["subject"] == "Resync: 1 maintenance finding(s) whose action failed"
    assert message["text"] == (
        f"FTA001 message_file_filling: enlarge a message file ({execution.job_name}) "
        "job ABEND, return code 4; the finding stays open"
    )


@pytest.mark.parametrize(
    ("setup", "status", "said"),
    [
        ("no master", "refused", "refused: no HWA master to submit the job through"),
        ("unknown workstation", "refused", "workstation 'FTA001' is not in the plan"),
        ("user not allowed", "refused", "user 'root' may not run jobs on FTA001"),
        ("master unavailable", "unavailable", "not run: HWA master failed (503)"),
    ],
)
def test_a_refused_action_keeps_its_approval_and_says_why(
    database_url: str, monkeypatch: pytest.MonkeyPatch, setup: str, status: str, said: str
) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    with master_running_actions(monkeypatch, workstations={"FTA002"}) as master:
        if setup == "no master":
            monkeypatch.delenv("RESYNC_HWA_URL")
        if setup != "unknown workstation":
            master.workstations = None
        if setup == "user not allowed":
            monkeypatch.setenv("RESYNC_MAINTENANCE_TWS_USER", "root")
        if setup == "master unavailable":
            master.fail_next(503, times=5)
        get_settings.cache_clear()
        run_graph()

    execution, finding, review = stored()
    assert (execution.job_status, execution.exit_code) == (status, None)
    assert said in execution.output
    assert execution.finished_at is not None and execution.submitted_at is None
    assert (review.decision, review.source) == ("approved", "auto_approved")
    # The master was asked only when it could answer, and refused; nothing is in its plan.
    refused_by_master = setup in ("unknown workstation", "user not allowed")
    assert (submissions(master), master.adhoc.runs) == (int(refused_by_master), [])
    assert finding.outcome == "action_failed"


def test_a_dry_run_submits_nothing(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    with master_running_actions(monkeypatch) as master:
        monkeypatch.delenv("RESYNC_MAINTENANCE_EXECUTE_ACTIONS")
        get_settings.cache_clear()
        run_graph()

    execution, finding, _ = stored()
    assert master.requests == []
    assert (execution.job_status, execution.dry_run, finding.outcome) == ("dry_run", True, None)
    assert execution.output.startswith("dry run: would submit `evtsize Mailbox.msg ")


def test_a_recorded_job_gone_from_the_plan_is_not_submitted_again(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    with master_running_actions(monkeypatch) as master:
        run_graph()
        execution, _, _ = stored()
        # The next plan drops the ended job; the audit row is left unfinished, as by a crash.
        master.adhoc.runs.clear()
        with session_scope() as session:
            session.get(MaintenanceActionExecution, execution.id).finished_at = None
        state = run_graph()

    execution, finding, _ = stored()
    assert submissions(master) == 1 and master.adhoc.runs == []
    assert state["executions"][0]["job_status"] == "lost"
    assert execution.output == (
        f"not run again: job {execution.job_name} ({execution.job_id}) was submitted by an "
        "earlier attempt and is no longer in the plan; its joblog is in the scheduler's archive"
    )
    assert finding.outcome == "action_failed"
