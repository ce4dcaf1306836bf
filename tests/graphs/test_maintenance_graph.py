"""The maintenance graph node by node on a small synthetic estate, its routing and its interrupt."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.graph import StateGraph
from langgraph.types import Command
from sqlalchemy import select

from graphs.maintenance import nodes
from graphs.maintenance.graph import build_graph
from resync.db.engine import get_engine, session_scope
from resync.db.models import MaintenanceActionExecution, MaintenanceFinding, MaintenanceReview
from resync.learning.store import load_action_decisions
from resync.maintenance.claims import claim_run
from resync.maintenance.execution import job_name
from resync.maintenance.types import ProposedAction
from resync.settings import get_settings
from tasks.maintenance_runs import write_maintenance_briefing
from tests.support.fake_anthropic import FakeAnthropic
from tests.support.flow_run import inside_a_flow
from tests.support.maintenance_estate import AUTO_APPROVED_ESTATE, REVIEWED_ESTATE, load_estate

pytestmark = pytest.mark.usefixtures("prefect_api")


def new_run() -> str:
    with session_scope() as session:
        return str(claim_run(session, None, timedelta(minutes=3)).run_id)


def action(command: str, auto_approvable: bool = True) -> dict:
    return {
        "action_id": f"{command}-1",
        "command": command,
        "arguments": {"workstation": "FTA001", "older_than_days": 10},
        "description": command,
        "auto_approvable": auto_approvable,
    }


def finding(confidence: float, *actions: dict) -> dict:
    return {
        "workstation": "FTA001",
        "kind": "disk_filling",
        "resource": "disk_percent",
        "predicted_failure_date": None,
        "confidence": confidence,
        "evidence_summary": "disk filling",
        "actions": list(actions),
    }


def test_nodes_one_by_one(database_url: str) -> None:
    estate = load_estate(REVIEWED_ESTATE)
    state = {"run_id": new_run()}

    state |= nodes.fetch_data(state)
    window_end = datetime.fromisoformat(state["window_end"])
    assert abs(window_end - datetime.now(UTC)) < timedelta(minutes=1)
    assert window_end - datetime.fromisoformat(state["window_start"]) == timedelta(days=30)
    assert state["history"] == {
        "workstations": 2,
        "samples": estate.metrics.height,
        "job_runs": estate.jobs.height,
    }
    assert state["host_facts"]["FTA001"]["logical_volume"] == "/dev/mapper/twsvg-twslv"

    state |= inside_a_flow(lambda: nodes.analyze_degradation(state))
    degraded = {(d["workstation"], d["resource"]) for d in state["degradations"]}
    assert {("FTA001", "disk_percent"), ("FTA001", "job:ETL.EXTRACT_ORDERS")} <= degraded

    state |= inside_a_flow(lambda: nodes.correlate(state))
    assert any(
        c["workstation"] == "FTA001"
        and c["resource"] == "disk_percent"
        and c["strength"] == "strong"
        for c in state["correlations"]
    )

    state |= nodes.predict(state)
    # The healthy FTA's slow growth is no failure within the horizon.
    [prediction] = state["predictions"]
    assert (prediction["workstation"], prediction["kind"]) == ("FTA001", "disk_filling")
    truth = estate.scenarios[0].failure_at.date()
    predicted = datetime.fromisoformat(prediction["predicted_failure_date"]).date()
    assert abs((predicted - truth).days) <= 4

    state |= nodes.recommend(state)
    assert {a["command"] for f in state["findings"] for a in f["actions"]} == {
        "clean_stdlist",
        "extend_filesystem",
    }
    assert state["insight"]["analyst"] == "deterministic"
    assert "ANTHROPIC_API_KEY is not set" in state["insight"]["analyst_note"]
    with session_scope() as session:
        stored = session.scalars(select(MaintenanceFinding)).all()
    assert [(f.workstation, f.kind, f.review_status) for f in stored] == [
        ("FTA001", "disk_filling", "pending")
    ]
    assert nodes.route_after_recommend(state) == "human_review"


@pytest.mark.parametrize(
    ("findings", "route"),
    [
        ([], "execute_actions"),
        ([finding(0.95, action("clean_stdlist"))], "execute_actions"),
        ([finding(0.79, action("clean_stdlist"))], "human_review"),
        (
            [finding(0.95, action("move_jobs_off_workstation", auto_approvable=False))],
            "human_review",
        ),
    ],
)
def test_routing_after_recommend(findings: list[dict], route: str) -> None:
    # The policy's cases are in tests/resync/test_maintenance_review_policy.py.
    assert nodes.route_after_recommend({"findings": findings}) == route


def test_routing_refuses_a_state_without_findings() -> None:
    with pytest.raises(ValueError, match="recommend must run before routing"):
        nodes.route_after_recommend({"predictions": []})


def paused_at_review(run_id: str):
    """The graph of a REVIEWED_ESTATE run stopped at its review, with the action ids by command."""
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": run_id}}
    inside_a_flow(lambda: graph.invoke({"run_id": run_id}, config))
    snapshot = graph.get_state(config)
    assert snapshot.next == ("human_review",)
    [request] = snapshot.interrupts
    actions = {
        a["command"]: a["action_id"] for f in request.value["findings"] for a in f["actions"]
    }
    return graph, config, request.value, actions


def stored_reviews() -> dict[str, MaintenanceReview]:
    with session_scope() as session:
        return {r.action_id: r for r in session.scalars(select(MaintenanceReview))}


def test_only_the_action_needing_a_person_is_asked_the_other_is_auto_approved(
    database_url: str,
) -> None:
    load_estate(REVIEWED_ESTATE)
    run_id = new_run()
    graph, config, request, actions = paused_at_review(run_id)
    # A confident finding: the stdlist clean-up is auto-approvable, the file system is not.
    assert request["asked"] == [actions["extend_filesystem"]]
    receiving = uuid.uuid4()
    answer = {
        "decisions": {actions["extend_filesystem"]: "approved"},
        "source": "reviewer",
        "decided_by": "alice",
        "comment": "the volume group has room",
        "submitted_at": "2026-12-07T01:55:12+00:00",
        "flow_run_id": str(receiving),
    }

    state = graph.invoke(Command(resume=answer), config)

    assert graph.get_state(config).next == ()
    assert sorted(e["action_id"] for e in state["executions"]) == sorted(actions.values())
    decided = stored_reviews()
    clean, extend = decided[actions["clean_stdlist"]], decided[actions["extend_filesystem"]]
    assert (clean.decision, clean.source, clean.decided_by, clean.comment) == (
        "approved",
        "auto_approved",
        None,
        None,
    )
    assert (clean.submitted_at, clean.flow_run_id) == (None, None)
    assert (extend.decision, extend.source, extend.decided_by, extend.comment) == (
        "approved",
        "reviewer",
        "alice",
        "the volume group has room",
    )
    assert extend.submitted_at == datetime(2026, 12, 7, 1, 55, 12, tzinfo=UTC)
    assert extend.flow_run_id == receiving
    assert extend.decided_at > extend.submitted_at
    with session_scope() as session:
        [stored] = session.scalars(select(MaintenanceFinding)).all()
        executed = {e.action_id: e for e in session.scalars(select(MaintenanceActionExecution))}
    assert stored.review_status == "approved"
    assert executed[actions["clean_stdlist"]].approved_by == "auto_approved"
    assert executed[actions["clean_stdlist"]].argv == ["rmstdlist", "10"]
    [clean_action] = [
        ProposedAction.model_validate(a)
        for a in request["findings"][0]["actions"]
        if a["command"] == "clean_stdlist"
    ]
    clean_job = job_name(run_id, clean_action)
    assert executed[actions["clean_stdlist"]].output == (
        f"dry run: would submit `rmstdlist 10` as job {clean_job} on FTA001 as twsuser"
    )
    assert executed[actions["clean_stdlist"]].job_status == "dry_run"
    extension = executed[actions["extend_filesystem"]]
    assert (extension.approved_by, extension.dry_run, extension.exit_code) == ("alice", True, None)
    assert extension.argv[:2] == ["lvextend", "--resizefs"]
    assert extension.finished_at is not None


@pytest.mark.parametrize(
    ("decision", "source", "learned_from"),
    [("deferred", "reviewer", 0), ("rejected", "timeout_policy", 0), ("rejected", "reviewer", 1)],
)
def test_an_asked_action_not_approved_does_not_run_the_auto_approved_one_does(
    database_url: str, decision: str, source: str, learned_from: int
) -> None:
    load_estate(REVIEWED_ESTATE)
    run_id = new_run()
    graph, config, _, actions = paused_at_review(run_id)
    answer = {"decisions": {actions["extend_filesystem"]: decision}, "source": source}

    state = graph.invoke(Command(resume=answer), config)

    assert [e["action_id"] for e in state["executions"]] == [actions["clean_stdlist"]]
    decided = stored_reviews()
    extend = decided[actions["extend_filesystem"]]
    assert (extend.decision, extend.source) == (decision, source)
    assert decided[actions["clean_stdlist"]].source == "auto_approved"
    with session_scope() as session:
        statuses = session.scalars(select(MaintenanceFinding.review_status)).all()
    assert statuses == ["partly_approved"]
    # Only a reviewer's approval or rejection teaches the action policies anything.
    with get_engine().connect() as connection:
        assert load_action_decisions(connection).height == learned_from


@pytest.mark.parametrize(
    ("decisions", "error"),
    [
        ({"rm-rf": "approved"}, r"did not propose: \['rm-rf'\]"),
        ({}, r"extend_filesystem-\w+ needs a person and the review did not decide it"),
    ],
)
def test_a_review_deciding_the_wrong_actions_is_refused(
    database_url: str, decisions: dict, error: str
) -> None:
    load_estate(REVIEWED_ESTATE)
    run_id = new_run()
    graph, config, _, _ = paused_at_review(run_id)
    answer = {"decisions": decisions, "decided_by": "eve", "source": "reviewer"}

    with pytest.raises(ValueError, match=error):
        graph.invoke(Command(resume=answer), config)

    with session_scope() as session:
        assert session.scalars(select(MaintenanceReview)).all() == []
        assert session.scalars(select(MaintenanceActionExecution)).all() == []


def test_confident_auto_approvable_findings_skip_the_review(database_url: str) -> None:
    load_estate(AUTO_APPROVED_ESTATE)
    run_id = new_run()
    graph = build_graph().compile(checkpointer=InMemorySaver())

    state = inside_a_flow(
        lambda: graph.invoke({"run_id": run_id}, {"configurable": {"thread_id": run_id}})
    )

    [resize] = [a for f in state["findings"] for a in f["actions"]]
    assert resize["command"] == "resize_message_file"
    assert [d["source"] for d in state["decisions"]] == ["auto_approved"]
    assert [e["action_id"] for e in state["executions"]] == [resize["action_id"]]
    with session_scope() as session:
        [stored] = session.scalars(select(MaintenanceFinding)).all()
        [execution] = session.scalars(select(MaintenanceActionExecution)).all()
    assert stored.review_status == "auto_approved"
    assert execution.approved_by == "auto_approved"
    assert execution.argv[0] == "evtsize"


def test_claude_writes_the_briefing_from_the_findings_as_data(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    findings = [
        finding(0.9, action("clean_stdlist"))
        | {
            "kind": "disk_filling",
            "resource": "disk_percent",
            "predicted_failure_date": "2026-12-14",
            "evidence_summary": "disk_percent at 64.5 % growing 1.49 %/day",
        }
    ]
    with FakeAnthropic() as fake:
        fake.reply_json({"summary": "FTA001 fills its disk around 14 December."})
        monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-key")
        monkeypatch.setenv("RESYNC_ANTHROPIC_BASE_URL", fake.url)
        get_settings.cache_clear()

        insight = write_maintenance_briefing.fn(findings)

    assert insight == {
        "insight": "FTA001 fills its disk around 14 December.",
        "analyst": get_settings().anthropic_model,
        "analyst_note": "",
    }
    [request] = fake.requests
    assert "FTA001" not in request["system"]
    assert '"predicted_failure_date": "2026-12-14"' in request["messages"][0]["content"]


def test_build_graph_returns_the_eight_steps_uncompiled() -> None:
    graph = build_graph()
    assert isinstance(graph, StateGraph)
    assert list(graph.nodes) == [
        "fetch_data",
        "analyze_degradation",
        "correlate",
        "predict",
        "recommend",
        "human_review",
        "execute_actions",
        "check_effects",
    ]
    edges = {(edge.source, edge.target) for edge in graph.compile().get_graph().edges}
    assert {("recommend", "human_review"), ("recommend", "execute_actions")} <= edges
    assert ("human_review", "execute_actions") in edges
    assert ("execute_actions", "check_effects") in edges
