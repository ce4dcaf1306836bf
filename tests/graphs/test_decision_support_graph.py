"""The decision-support graph node by node on both backends, then compiled, in order; the runs
go through each step together, the earlier ones as past failures of the later ones (reading and
classifying fan out in a flow run, as the flow runs the graph)."""

from datetime import UTC, datetime, timedelta

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from sqlalchemy import select
from sqlalchemy.exc import NoResultFound

from graphs.decision_support import nodes
from graphs.decision_support.graph import NODES, build_graph
from resync.db.engine import session_scope
from resync.db.models import FailureAnalysis
from resync.jobs.schemas import JobRun
from resync.jobs.store import store_job_runs
from tests.support.flow_run import inside_a_flow

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")

STARTED = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
JOBLOG = (
    "Export with --password Secr3t to /data/out\n"
    "AWKJCL099E The job exceeded its maximum duration (MAXDUR 00:30) and was killed.\n"
    "Exit Status : 137\n"
)


def store(run_id: str, status: str, minutes: float, hours_before: float, joblog=None) -> None:
    started = STARTED - timedelta(hours=hours_before)
    run = JobRun(
        workstation="WS-PROD-02",
        job_stream="NIGHTLY",
        job_name="EXPORT_GL",
        run_id=run_id,
        status=status,
        return_code=0 if status == "SUCC" else 137,
        started_at=started,
        ended_at=started + timedelta(minutes=minutes),
        joblog=joblog,
    )
    with session_scope() as session:
        store_job_runs(session, [run], 64 * 1024)


@pytest.fixture
def history() -> None:
    for day in range(1, 6):
        store(f"ok-{day}", "SUCC", minutes=10, hours_before=24 * day)
    store("slow", "ABEND", minutes=31, hours_before=0, joblog=JOBLOG)


def test_nodes_one_by_one(history) -> None:
    state = {"run_ids": ["slow"]}

    state |= inside_a_flow(lambda: nodes.fetch_contexts(state))
    [context] = state["contexts"]
    assert context["run"]["return_code"] == 137
    assert context["run"]["failed_at"] == (STARTED + timedelta(minutes=31)).isoformat()
    assert "Secr3t" not in context["joblog"]
    assert context["joblog"].startswith("Export with --password [REDACTED] to /data/out\n")
    assert context["run_history"]["earlier_runs"] == 5
    assert context["run_history"]["duration_ratio"] == 3.1
    assert context["resource_state"]["samples"] == 0

    state |= inside_a_flow(lambda: nodes.classify_failures(state))
    [classification] = state["classifications"]
    assert classification["failure_class"] == "timeout"
    assert [e["line"] for e in classification["evidence"]] == [2, 3]
    assert classification["analyst"] == "deterministic"

    state |= nodes.find_similar_cases(state)
    assert state["similar_cases"] == [[]]

    state |= nodes.recommend_resolutions(state)
    [card] = state["cards"]
    assert card["resource_state"]["corroborating"] == [
        "this run lasted 3.1× the job's median successful run"
    ]
    assert card["confidence"] == 0.95
    assert card["suggested_fix"].startswith("Find why this run took longer than usual")
    with session_scope() as session:
        stored = session.scalars(select(FailureAnalysis)).one()
    assert (stored.run_id, stored.failure_class, stored.confidence) == ("slow", "timeout", 0.95)
    assert stored.flow_run_id is None


def test_a_batch_compares_each_run_with_the_runs_before_it(history) -> None:
    store("slow-again", "ABEND", minutes=33, hours_before=-0.5, joblog=JOBLOG)
    store("other", "ABEND", minutes=2, hours_before=-0.2, joblog="ORA-01653: unable to extend\n")
    graph = build_graph().compile()

    state = inside_a_flow(lambda: graph.invoke({"run_ids": ["slow", "slow-again", "other"]}))
    cards = state["cards"]

    assert [card["run_id"] for card in cards] == ["slow", "slow-again", "other"]
    assert [card["failure_class"] for card in cards] == ["timeout", "timeout", "disk_full"]
    first, second, third = (card["similar_cases"] for card in cards)
    assert first == []
    assert [case["run_id"] for case in second] == ["slow"]
    assert second[0]["failure_class"] == "timeout" and second[0]["similarity"] > 0.9
    assert third == []
    with session_scope() as session:
        assert set(session.scalars(select(FailureAnalysis.run_id))) == {
            "slow",
            "slow-again",
            "other",
        }


def test_the_compiled_graph_runs_the_four_steps_in_order(history) -> None:
    graph = build_graph().compile(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "slow"}}
    updates = inside_a_flow(lambda: list(graph.stream({"run_ids": ["slow"]}, config)))
    steps = [next(iter(update)) for update in updates]
    assert tuple(steps) == NODES
    assert graph.get_state(config).values["cards"][0]["failure_class"] == "timeout"


def test_an_unknown_run_stops_at_fetch_contexts() -> None:
    with pytest.raises(NoResultFound):
        inside_a_flow(lambda: build_graph().compile().invoke({"run_ids": ["not-stored"]}))
