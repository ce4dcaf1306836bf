"""The auto-learning graph: its steps, node by node, a resume after a crash, and how the action
policies it learns steer the maintenance graph's route."""

from datetime import UTC, datetime

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import func, select

from graphs.auto_learning import nodes
from graphs.auto_learning.graph import STEPS, build_graph
from graphs.maintenance.nodes import route_after_recommend
from resync.db.engine import get_engine, session_scope
from resync.db.models import LearnedChange, LearningOutcome
from resync.learning.action_policy import apply_action_policies
from resync.learning.changes import Proposal
from resync.learning.parameters import active_parameters
from resync.learning.store import record_changes, revert_change
from resync.maintenance.actions import propose
from resync.maintenance.types import Finding
from resync.settings import get_settings
from tests.support.learning_history import (
    SPIKY,
    store_disk_histories,
    store_past_findings,
    store_reviewed_alerts,
)

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture
def history(database_url: str, monkeypatch: pytest.MonkeyPatch) -> datetime:
    monkeypatch.setenv("RESYNC_LEARNING_MIN_OUTCOMES", "20")
    get_settings.cache_clear()
    now = datetime.now(UTC).replace(microsecond=0)
    store_disk_histories(now, days=22)
    store_past_findings(now)
    store_reviewed_alerts(now)
    return now


def test_steps_in_order() -> None:
    graph = build_graph().compile()
    assert [step.__name__ for step in STEPS] == [
        "collect_outcomes",
        "calibrate_confidence",
        "tune_alerts",
        "select_models",
        "learn_action_policy",
        "calibrate_capacity",
        "learn_failure_classes",
        "apply_changes",
    ]
    edges = {(edge.source, edge.target) for edge in graph.get_graph().edges}
    assert ("__start__", "collect_outcomes") in edges
    assert ("calibrate_capacity", "learn_failure_classes") in edges
    assert ("learn_failure_classes", "apply_changes") in edges
    assert ("apply_changes", "__end__") in edges


def test_nodes_one_by_one(history: datetime) -> None:
    state: dict = {"as_of": history.isoformat(), "flow_run_id": None}
    state |= nodes.collect_outcomes(state)
    assert state["outcomes"]["judged"] == 48
    assert state["feedback"]["alerts"] == [
        {"rule": "cpu_saturation", "verdict": "confirmed", "len": 3},
        {"rule": "cpu_saturation", "verdict": "false_alarm", "len": 7},
    ]
    state |= nodes.calibrate_confidence(state)
    assert [p["target"] for p in state["calibration"]["proposals"]] == ["disk_filling"]
    state |= nodes.tune_alerts(state)
    assert [p["target"] for p in state["alert_rules"]["proposals"]] == [f"cpu_saturation/{SPIKY}"]
    state |= nodes.select_models(state)
    # Thirteen FTAs × CPU, memory, disk: each either proposed or left out with its reason.
    models = state["forecast_models"]
    assert len(models["proposals"]) + len(models["skipped"]) == 39
    state |= nodes.learn_action_policy(state)
    # Six approved and six rejected at the same time: which fall in training varies, the
    # outcome does not (extend_filesystem is never auto-approvable, nor rejected often enough).
    assert state["action_policies"]["proposals"] == []
    [(target, why)] = state["action_policies"]["skipped"].items()
    assert target == "disk_filling/extend_filesystem"
    assert why.endswith(": the policy in force (catalogue) fits")
    missing = r"the learners \['capacity_calibration', 'failure_model'\] have not run"
    with pytest.raises(ValueError, match=missing):
        nodes.apply_changes(state)
    state |= nodes.calibrate_capacity(state)
    assert state["capacity_calibration"] == {
        "proposals": [],
        "skipped": {"all": "no judged outcome of a capacity forecast yet"},
    }
    state |= nodes.learn_failure_classes(state)
    assert state["failure_model"]["skipped"] == {"joblog": "0 resolutions with a class, 20 needed"}
    state |= nodes.apply_changes(state)
    proposals, skipped = nodes.proposals_and_skipped(state)
    assert len(state["change_ids"]) == len(proposals)
    assert "#### Learned and applied" in state["report"]
    assert all(f"| {key} | {why} |" in state["report"] for key, why in skipped.items())


def test_a_crashed_run_resumes_after_its_last_completed_step(
    history: datetime, monkeypatch: pytest.MonkeyPatch
) -> None:
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "learning-crash"}}

    def crash(as_of: str) -> dict:
        raise RuntimeError("worker died")

    with monkeypatch.context() as patch, pytest.raises(RuntimeError, match="worker died"):
        patch.setattr(nodes, "select_forecast_models", crash)
        graph.invoke({"as_of": history.isoformat(), "flow_run_id": None}, config=config)
    assert graph.get_state(config).next == ("select_models",)

    resumed = graph.invoke(None, config=config)
    assert resumed["outcomes"]["stored"] == 48
    with session_scope() as session:
        # Outcomes were stored once; the resumed run recorded its changes once.
        assert session.scalar(select(func.count()).select_from(LearningOutcome)) == 48
        recorded = session.scalar(select(func.count()).select_from(LearnedChange))
    assert recorded == len(resumed["change_ids"]) > 0


def test_revert_brings_back_the_change_before(database_url: str) -> None:
    def proposal(model: str, applied: bool = True) -> Proposal:
        return Proposal(
            "forecast_model", "WS1/disk", None, {"model": model}, "mase", 1.0, 0.5, 168, applied, ""
        )

    with session_scope() as session:
        first, second, declined = record_changes(
            session, [proposal("theta"), proposal("seasonal_trend"), proposal("naive", False)], None
        )
    with get_engine().connect() as connection:
        assert active_parameters(connection, "forecast_model") == {
            "WS1/disk": {"model": "seasonal_trend"}
        }
    with session_scope() as session:
        revert_change(session, second)
    with get_engine().connect() as connection:
        assert active_parameters(connection, "forecast_model") == {"WS1/disk": {"model": "theta"}}
    with session_scope() as session, pytest.raises(ValueError, match="was never applied"):
        revert_change(session, declined)
    with session_scope() as session:
        revert_change(session, first)
    with get_engine().connect() as connection:
        assert active_parameters(connection, "forecast_model") == {}


def test_learned_policies_steer_the_maintenance_route() -> None:
    def finding(confidence: float, command: str, policy: str | None) -> dict:
        arguments = {
            "clean_stdlist": {"older_than_days": 10},
            "move_jobs_off_workstation": {"job_limit": 0},
        }
        found = Finding(
            workstation="WS1",
            kind="disk_filling",
            resource="disk_percent",
            predicted_failure_date=None,
            confidence=confidence,
            evidence_summary="s",
            actions=[propose("WS1", "disk_filling", command, command, **arguments[command])],
        )
        policies = {f"disk_filling/{command}": {"policy": policy}} if policy else {}
        return apply_action_policies([found], policies)[0].model_dump(mode="json")

    def route(*findings: dict) -> str:
        return route_after_recommend({"findings": list(findings)})

    assert route(finding(0.6, "clean_stdlist", None)) == "human_review"
    # Reviewers always approve it: an unsure finding's auto-approvable action runs alone.
    assert route(finding(0.6, "clean_stdlist", "auto")) == "execute_actions"
    # Never for an action the catalogue keeps for a person.
    assert route(finding(0.9, "move_jobs_off_workstation", "auto")) == "human_review"
    assert route(finding(0.9, "clean_stdlist", None)) == "execute_actions"
    assert route(finding(0.9, "clean_stdlist", "review")) == "human_review"
    # Withheld: nothing left to decide.
    assert route(finding(0.6, "clean_stdlist", "withhold")) == "execute_actions"
