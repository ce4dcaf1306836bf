"""The predictive-maintenance flow through a real Prefect API: review round trip (only the action
needing a person asked, the evidence in the review sheet, the decisions in the artifacts),
timeout policy, one active run at a time, and `kill -9` of the flow's process mid-graph and
while paused."""

import json
import time
import uuid
from datetime import UTC, datetime

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.objects import Artifact
from prefect.flow_runs import resume_flow_run
from sqlalchemy import select

import tasks.maintenance
from flows.predictive_maintenance import predictive_maintenance
from resync.db.engine import session_scope
from resync.db.models import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
    Report,
)
from resync.settings import get_settings
from tests.support.maintenance_estate import AUTO_APPROVED_ESTATE, REVIEWED_ESTATE, load_estate
from tests.support.maintenance_flow_process import (
    FlowThread,
    kill_hard,
    start_flow_process,
    wait_until,
    wait_until_abandoned,
)
from tests.support.maintenance_master import add_sample, master_running_actions, submissions
from tests.support.maintenance_prefect import (
    NODE_TASKS,
    action_ids,
    completed_task_runs,
    flow_run_state,
    review_input,
    wait_for_paused_run,
)
from tests.support.signed_links import check_signed, markdown_links

pytestmark = pytest.mark.usefixtures("prefect_api")

ANALYSIS_TASKS = NODE_TASKS[:4]


STALE_SECONDS = 3.0


@pytest.fixture(autouse=True)
def quick_polling(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS", "1")
    monkeypatch.setenv("RESYNC_MAINTENANCE_HEARTBEAT_SECONDS", "0.5")
    monkeypatch.setenv("RESYNC_MAINTENANCE_HEARTBEAT_STALE_SECONDS", str(STALE_SECONDS))
    get_settings.cache_clear()


def the_run() -> MaintenanceRun:
    with session_scope() as session:
        return session.scalars(select(MaintenanceRun)).one()


def reviews() -> dict[str, MaintenanceReview]:
    with session_scope() as session:
        return {r.action_id: r for r in session.scalars(select(MaintenanceReview))}


def executions() -> list[MaintenanceActionExecution]:
    with session_scope() as session:
        return session.scalars(select(MaintenanceActionExecution)).all()


def approve_the_extension(flow_run_id: uuid.UUID, reviewer: str) -> str:
    """Answer the paused run's form, which asks only extend_filesystem: approved."""
    schema = wait_until(lambda: review_input_of(flow_run_id, "schema"), what="the review form")
    [extend] = action_ids(schema)
    assert extend.startswith("extend_filesystem-")
    resume_flow_run(
        flow_run_id, run_input={extend: "approve", "reviewer": reviewer, "comment": "ok"}
    )
    return extend


def start_while_another_is_active(active: uuid.UUID, status: str) -> None:
    """A flow run started now ends at once, Completed, naming the active run in result and log."""
    state = predictive_maintenance(return_state=True)

    assert state.is_completed()
    active_run = state.result()["active"]
    run = the_run()
    assert (active_run["run_id"], active_run["flow_run_id"]) == (str(run.id), str(active))
    assert active_run["status"] == status
    assert (run.flow_run_id, run.status) == (active, status)
    expected = f"maintenance run {run.id} is still active ({status.replace('_', ' ')}, driven by "
    expected += f"flow run {active}"
    assert active_run["message"].startswith(expected)
    assert flow_run_state(active) == ("Paused" if status == "awaiting_review" else "Running")

    def logged() -> list[str]:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                LogFilter(flow_run_id=LogFilterFlowRunId(any_=[state.state_details.flow_run_id]))
            )
        return [log.message for log in logs if log.message.startswith(expected)]

    wait_until(logged, timeout=30, what="the log line naming the active run")


def review_input_of(flow_run_id: uuid.UUID, part: str):
    with get_client(sync_client=True) as client:
        return review_input(client.read_flow_run(flow_run_id), part)


def assert_the_decisions_ran(extend: str, reviewer: str, received_by: uuid.UUID) -> None:
    """The reviewer's approval of the extension, received by flow run `received_by`, and the
    stdlist clean-up auto-approved: both ran (dry runs)."""
    decided = reviews()
    [clean] = set(decided) - {extend}
    assert clean.startswith("clean_stdlist-")
    auto, reviewed = decided[clean], decided[extend]
    assert (auto.decision, auto.source, auto.decided_by, auto.submitted_at) == (
        "approved",
        "auto_approved",
        None,
        None,
    )
    assert (reviewed.decision, reviewed.source, reviewed.decided_by, reviewed.comment) == (
        "approved",
        "reviewer",
        reviewer,
        "ok",
    )
    assert reviewed.flow_run_id == received_by
    assert reviewed.submitted_at is not None and reviewed.submitted_at <= reviewed.decided_at
    ran = {execution.action_id: execution for execution in executions()}
    assert (ran[clean].argv, ran[clean].dry_run, ran[clean].approved_by) == (
        ["rmstdlist", "10"],
        True,
        "auto_approved",
    )
    assert (ran[extend].argv[:2], ran[extend].dry_run, ran[extend].approved_by) == (
        ["lvextend", "--resizefs"],
        True,
        reviewer,
    )
    assert the_run().status == "finished"


def review_sheet_of(flow_run_id: uuid.UUID) -> Artifact:
    with get_client(sync_client=True) as client:
        [sheet] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
                key=ArtifactFilterKey(any_=["maintenance-review"]),
            )
        )
    return sheet


def test_review_round_trip_in_the_prefect_ui(database_url: str) -> None:
    load_estate(REVIEWED_ESTATE)
    with session_scope() as session:
        report = Report(
            kind="capacity",
            title="Capacity report",
            summary={},
            html="",
            html_bytes=0,
            pdf=b"",
            pdf_bytes=0,
        )
        session.add(report)
    flow = FlowThread()
    flow.start()

    paused = wait_for_paused_run()
    schema = review_input(paused, "schema")
    description = review_input(paused, "description")
    with session_scope() as session:
        finding = session.scalars(select(MaintenanceFinding)).one()
    assert the_run().status == "awaiting_review"
    # Only the action needing a person is asked, as a required choice with no default.
    [extend] = action_ids(schema)
    field = schema["properties"][extend]
    assert field["enum"] == ["approve", "reject", "cannot decide"]
    assert "default" not in field
    assert schema["required"] == [extend, "reviewer"]
    # Each field says why it is asked: what fails when, how sure, the command, the risk.
    assert field["title"] == "FTA001: grow the file system"
    failure_day = f"{finding.predicted_failure_date:%a %d %b}"
    assert field["description"].startswith(
        f"Why: the disk holding TWS fills up around {failure_day}, in about "
    )
    assert f"{finding.confidence:.0%}). Runs `lvextend --resizefs --size" in field["description"]
    assert field["description"].endswith("`. Risk: medium.")
    # The form's description: what is asked, by when, and the sheet with the evidence, which
    # is linked again beside the reviewer's name.
    sheet = review_sheet_of(paused.id)
    assert description.startswith("Decide by **")
    sheet_link = f"(../../artifacts/artifact/{sheet.id})"
    assert f"**[Evidence and each action's risk]{sheet_link}** · 1 other action" in description
    assert sheet_link in schema["properties"]["reviewer"]["description"]
    assert sheet.data.startswith("# Review needed: 1 action on FTA001\n")
    assert f"{finding.confidence:.0%} chance it happens within" in sheet.data
    assert "- **You decide: grow the file system.**" in sheet.data
    assert "- **Runs on its own (auto-approved): clean old job logs.**" in sheet.data
    statistics = sheet.data.split("## The analysis in full")[1]
    row = f"| FTA001 | disk filling | {finding.predicted_failure_date} | {finding.confidence:.0%} |"
    assert row in statistics
    assert "slope_per_day" in statistics and "r_squared" in statistics
    assert "deterministic analyst: ANTHROPIC_API_KEY is not set" in statistics
    links = markdown_links(sheet.data)
    check_signed(links["The findings and their actions (API)"], "/api/v1/maintenance/findings")
    check_signed(links["Capacity report: charts"], f"/api/v1/reports/{report.id}.html")

    assert approve_the_extension(paused.id, "alice") == extend
    result = flow.join_result()

    assert result["approved"] == 2 and result["executed"] == 2
    assert result["analyst"] == "deterministic"
    assert_the_decisions_ran(extend, "alice", paused.id)
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[paused.id]))
        )
    by_key = {artifact.key: artifact for artifact in artifacts}
    summary = by_key["maintenance-findings"].data
    received = f"[{str(paused.id)[:8]}](../../runs/flow-run/{paused.id})"
    assert "Answered by **alice**, submitted " in summary
    assert f" UTC to flow run {received}: “ok”" in summary
    assert "- **FTA001: grow the file system**: approved; dry run." in summary
    assert "- **FTA001: clean old job logs**: auto-approved; dry run." in summary
    table = json.loads(by_key["maintenance-actions"].data)
    decided = [(row["action"], row["decision"], row["reviewer"], row["outcome"]) for row in table]
    assert decided == [
        ("clean old job logs", "auto-approved", "", "dry run"),
        ("grow the file system", "approved", "alice", "dry run"),
    ]
    assert table[1]["submitted (UTC)"].startswith(f"{datetime.now(UTC):%Y-%m-%d}")


def test_a_run_started_during_a_long_review_ends_at_once(database_url: str) -> None:
    load_estate(REVIEWED_ESTATE)
    flow = FlowThread()
    flow.start()
    paused = wait_for_paused_run()
    # Paused longer than the staleness: the heartbeat goes on while the flow waits.
    time.sleep(STALE_SECONDS + 1)

    start_while_another_is_active(paused.id, "awaiting_review")

    extend = approve_the_extension(paused.id, "frank")
    assert flow.join_result()["approved"] == 2
    assert_the_decisions_ran(extend, "frank", paused.id)


def test_no_answer_in_time_rejects_every_asked_action(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()
    load_estate(REVIEWED_ESTATE)

    result = predictive_maintenance()

    # The extension was asked and nobody answered; the stdlist clean-up needed nobody.
    assert result["approved"] == 1 and result["executed"] == 1
    run = the_run()
    decided = {r.action_id.split("-")[0]: r for r in reviews().values()}
    extend, clean = decided["extend_filesystem"], decided["clean_stdlist"]
    assert (extend.decision, extend.source, extend.decided_by, extend.submitted_at) == (
        "rejected",
        "timeout_policy",
        None,
        None,
    )
    assert extend.flow_run_id == run.flow_run_id
    assert (clean.decision, clean.source) == ("approved", "auto_approved")
    assert [execution.action_id for execution in executions()] == [clean.action_id]
    assert run.status == "finished"
    assert flow_run_state(run.flow_run_id) == "Completed"
    with session_scope() as session:
        statuses = session.scalars(select(MaintenanceFinding.review_status)).all()
    assert statuses == ["partly_approved"]


def test_killed_mid_graph_the_next_run_continues_from_the_checkpoint(
    database_url: str, tmp_path
) -> None:
    load_estate(REVIEWED_ESTATE)
    marker = tmp_path / "blocked-in-predict"
    process = start_flow_process(database_url, marker)
    wait_until(marker.exists, what="the flow to reach predict")
    killed = the_run().flow_run_id
    # A node running longer than the staleness: its process is alive, the run is left to it.
    time.sleep(STALE_SECONDS + 1)
    start_while_another_is_active(killed, "running")
    kill_hard(process)
    wait_until_abandoned()

    flow = FlowThread()
    flow.start()
    paused = wait_for_paused_run()
    extend = approve_the_extension(paused.id, "carol")
    flow.join_result()

    assert paused.id != killed
    assert_the_decisions_ran(extend, "carol", paused.id)
    assert flow_run_state(killed) == "Crashed"
    before, after = completed_task_runs([killed]), completed_task_runs([paused.id])
    assert {name: before[name] for name in NODE_TASKS if before[name]} == {
        name: 1 for name in ANALYSIS_TASKS
    }
    assert {name: after[name] for name in NODE_TASKS if after[name]} == {
        name: 1 for name in NODE_TASKS[4:]
    }


def test_killed_while_paused_the_next_run_asks_again(database_url: str) -> None:
    load_estate(REVIEWED_ESTATE)
    process = start_flow_process(database_url)
    first = wait_for_paused_run()
    kill_hard(process)
    wait_until_abandoned()

    flow = FlowThread()
    flow.start()
    second = wait_until(
        lambda: (run := wait_for_paused_run()).id != first.id and run, what="a second pause"
    )
    assert flow_run_state(first.id) == "Crashed"
    extend = approve_the_extension(second.id, "dave")
    flow.join_result()

    assert_the_decisions_ran(extend, "dave", second.id)
    counts = completed_task_runs([first.id, second.id])
    assert {name: counts[name] for name in NODE_TASKS} == {name: 1 for name in NODE_TASKS}
    assert not any(completed_task_runs([second.id])[name] for name in NODE_TASKS[:8])


def test_an_answer_given_to_the_dead_paused_run_is_used(database_url: str) -> None:
    load_estate(REVIEWED_ESTATE)
    process = start_flow_process(database_url)
    first = wait_for_paused_run()
    kill_hard(process)
    extend = approve_the_extension(first.id, "erin")
    wait_until_abandoned()

    result = predictive_maintenance()

    assert result["approved"] == 2
    # The answer was received by the flow run that died, not the one that recorded it.
    assert_the_decisions_ran(extend, "erin", first.id)
    assert flow_run_state(first.id) == "Crashed"
    counts = completed_task_runs([first.id, the_run().flow_run_id])
    assert {name: counts[name] for name in NODE_TASKS} == {name: 1 for name in NODE_TASKS}


def test_an_error_fails_the_run_and_the_next_run_starts_afresh(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_estate(REVIEWED_ESTATE)
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS", "2")
    get_settings.cache_clear()

    def broken(*_args, **_kwargs):
        raise RuntimeError("prediction failed")

    with monkeypatch.context() as patch:
        patch.setattr(tasks.maintenance, "predict", broken)
        with pytest.raises(RuntimeError, match="prediction failed"):
            predictive_maintenance()
    failed = the_run()
    assert failed.status == "failed" and failed.finished_at is not None
    assert flow_run_state(failed.flow_run_id) == "Failed"

    result = predictive_maintenance()

    with session_scope() as session:
        runs = {run.id: run for run in session.scalars(select(MaintenanceRun))}
    assert len(runs) == 2
    assert runs[uuid.UUID(result["run_id"])].status == "finished"
    assert (
        completed_task_runs([runs[uuid.UUID(result["run_id"])].flow_run_id])[
            "fetch_maintenance_data"
        ]
        == 1
    )


def test_killed_between_submit_and_record_the_job_is_never_submitted_again(
    database_url: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    marker = tmp_path / "submitted"
    with master_running_actions(monkeypatch) as master:
        process = start_flow_process(
            database_url, marker, step="tasks.maintenance_actions.record_job_submission"
        )
        wait_until(marker.exists, what="the flow to submit the approved action's job")
        kill_hard(process)
        killed = the_run().flow_run_id
        [job] = master.adhoc.runs
        [started] = executions()
        # The master has the job; Resync's record of it stops at the audit row.
        assert (started.job_name, started.job_id, started.finished_at) == (job.job_name, None, None)
        wait_until_abandoned()

        result = predictive_maintenance()

    assert result["approved"] == 1 and result["executed"] == 1
    assert (submissions(master), len(master.adhoc.runs)) == (1, 1)
    [execution] = executions()
    # Found in the plan by its name, followed to its end: the dead attempt's submission.
    assert (execution.job_name, execution.job_id, execution.submitted_at) == (
        job.job_name,
        job.run_id,
        None,
    )
    assert (execution.job_status, execution.exit_code) == ("SUCC", 0)
    assert f"= JCLFILE   : {job.task_string}" in execution.output
    assert the_run().status == "finished"
    before, after = completed_task_runs([killed]), completed_task_runs([the_run().flow_run_id])
    assert not any(after[name] for name in NODE_TASKS[:8])
    assert before["record_review_decisions"] == 1 and after["execute_approved_actions"] == 1


def test_an_approved_review_runs_both_actions_on_the_fta_and_the_disk_drop_resolves_it(
    database_url: str, monkeypatch: pytest.MonkeyPatch, client, make_key
) -> None:
    load_estate(REVIEWED_ESTATE)
    with master_running_actions(monkeypatch) as master:
        # The FTA's next sample once each job ended: the clean-up freed the disk, the extension
        # grew it.
        master.adhoc.on_end = lambda run: add_sample(
            "FTA001", disk_percent=52.0 if run.job_name.startswith("RSY_CLEAN") else 40.0
        )
        monkeypatch.setenv("RESYNC_MAINTENANCE_EFFECT_WAIT_SECONDS", "60")
        get_settings.cache_clear()
        flow = FlowThread()
        flow.start()
        paused = wait_for_paused_run()
        extend = approve_the_extension(paused.id, "alice")
        result = flow.join_result()

    assert result["executed"] == 2
    assert sorted(job.task_string.split()[0] for job in master.adhoc.runs) == [
        "lvextend",
        "rmstdlist",
    ]
    ran = {execution.action_id: execution for execution in executions()}
    assert {(e.job_status, e.exit_code, e.effect) for e in ran.values()} == {("SUCC", 0, "helped")}
    assert ran[extend].approved_by == "alice"
    with session_scope() as session:
        finding = session.scalars(select(MaintenanceFinding)).one()
    assert finding.outcome == "resolved"
    _, key = make_key(["workflows:read"])
    answer = client.get("/api/v1/maintenance/findings", headers={"X-API-Key": key})
    assert answer.status_code == 200
    [served] = answer.json()["data"]
    assert served["outcome"] == "resolved"
    extension = next(a for a in served["actions"] if a["action_id"] == extend)
    assert extension["job_name"] == ran[extend].job_name
    assert extension["job_id"] == f"FTA001;JOBS;{ran[extend].job_name}"
    assert (extension["job_status"], extension["exit_code"], extension["effect"]) == (
        "SUCC",
        0,
        "helped",
    )
    assert (extension["effect_metric"], extension["effect_before"]) == ("disk_percent", 52.0)
    assert extension["effect_after"] == 40.0
    assert (extension["review_status"], extension["decided_by"]) == ("approved", "alice")
    joblog = client.get(extension["joblog"], headers={"X-API-Key": key})
    assert joblog.status_code == 200 and joblog.text == ran[extend].output
    assert "Logical volume /dev/mapper/twsvg-twslv successfully resized." in joblog.text
    with get_client(sync_client=True) as prefect:
        [summary] = prefect.read_artifacts(
            artifact_filter=ArtifactFilter(
                flow_run_id=ArtifactFilterFlowRunId(any_=[paused.id]),
                key=ArtifactFilterKey(any_=["maintenance-findings"]),
            )
        )
    assert "- **FTA001: grow the file system**: approved; SUCC rc 0." in summary.data
    assert f"  - job `{ran[extend].job_name}` (id `FTA001;JOBS;" in summary.data
    assert "  - effect: helped: disk 52 % → 40 %" in summary.data
