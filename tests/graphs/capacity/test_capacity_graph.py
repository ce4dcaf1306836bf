"""The capacity graph node by node on small histories, and whole with an in-memory saver."""

import uuid
from datetime import timedelta

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from prefect import flow
from sqlalchemy import select

from graphs.capacity import nodes
from graphs.capacity.graph import build_graph
from graphs.checkpoints import open_checkpointer
from resync.db.engine import session_scope
from resync.db.models import CapacityForecast, CapacityForecastRun
from tests.support.capacity_data import history_frame, now_hour, store_history

HOST = {"cpu_count": 4, "memory_total_mb": 16384, "disk_total_gb": 200}
INPUTS = {
    "workstation_filter": None,
    "resources": ["cpu", "memory", "disk", "latency", "workload"],
    "history_days": 30,
    "horizon_days": 60,
}


@pytest.fixture
def estate(database_url: str, prefect_api: None) -> None:
    end = now_hour() - timedelta(minutes=5)
    store_history(history_frame("FTA-FILL", 10, end, disk_start=70, disk_per_day=1.0), HOST)
    store_history(history_frame("FTA-BARE", 10, end, disk_start=75, disk_per_day=1.0, seed=3))
    store_history(history_frame("FTA-FLAT", 10, end, seed=1))
    store_history(history_frame("FTA-NEW", 2, end, seed=2))


def inside_a_flow(call):
    """Run `call` in a flow run, as the capacity flow runs the graph: the forecast node fans its
    task runs out through the flow's task runner."""

    @flow(name="capacity-graph-test")
    def capacity_graph_test():
        return call()

    return capacity_graph_test()


def forecast_rows(run_id: str) -> dict[tuple[str, str], CapacityForecast]:
    with session_scope() as session:
        rows = session.scalars(
            select(CapacityForecast).where(CapacityForecast.run_id == uuid.UUID(run_id))
        )
        return {(row.workstation, row.resource): row for row in rows}


def test_the_six_steps_in_order() -> None:
    graph = build_graph().compile(checkpointer=InMemorySaver()).get_graph()
    edges = {(edge.source, edge.target) for edge in graph.edges}
    steps = ["__start__", "fetch_metrics", "analyze_trends", "forecast", "analyze_saturation",
             "recommend", "generate_report", "__end__"]  # fmt: skip
    assert edges == set(zip(steps, steps[1:], strict=False))


def test_nodes_one_by_one(estate: None) -> None:
    state = dict(INPUTS)
    state |= nodes.fetch_metrics(state)
    assert state["workstations"] == ["FTA-BARE", "FTA-FILL", "FTA-FLAT", "FTA-NEW"]

    state |= nodes.analyze_trends(state)
    # Four metric series per FTA (no job history: no workload); FTA-NEW has 2 days of 7:
    # provisional estimates of CPU, memory and disk, too little for latency.
    assert state["trends"] == {"series": 16, "insufficient": 1}
    rows = forecast_rows(state["run_id"])
    assert rows["FTA-FILL", "disk"].trend_per_day == pytest.approx(1.0, abs=0.05)
    assert rows["FTA-FILL", "disk"].r_squared > 0.99
    assert rows["FTA-FILL", "disk"].threshold == 90.0
    assert rows["FTA-FLAT", "latency"].threshold is None
    assert rows["FTA-NEW", "cpu"].status == "provisional"
    assert rows["FTA-NEW", "latency"].status == "insufficient_data"

    state |= inside_a_flow(lambda: nodes.forecast(state))
    assert state["forecasts"]["forecast"] == 15
    assert state["forecasts"]["models"]["provisional"] == 3
    rows = forecast_rows(state["run_id"])
    filling = rows["FTA-FILL", "disk"]
    assert filling.model and filling.mase is not None
    assert filling.saturation_date_earliest <= filling.saturation_date
    assert filling.risk == "likely"
    assert rows["FTA-FLAT", "disk"].saturation_date is None
    assert rows["FTA-FLAT", "disk"].risk is None
    assert rows["FTA-NEW", "disk"].model is None
    assert rows["FTA-NEW", "disk"].full_forecast_at is not None

    state |= nodes.analyze_saturation(state)
    assert state["saturation"] == {"likely": 2, "possible": 0}
    filling = forecast_rows(state["run_id"])["FTA-FILL", "disk"]
    # 80 % now, a point a day: 90 % in about ten days; order 30 days before the crossing.
    assert 8 <= filling.days_to_saturation <= 12
    assert filling.order_by_date == filling.saturation_date - timedelta(days=30)

    state |= nodes.recommend(state)
    assert state["scaling"]["recommended"] == 1
    assert state["scaling"]["without_host_facts"] == 1
    rows = forecast_rows(state["run_id"])
    advice = rows["FTA-FILL", "disk"].recommendation
    assert advice["action"] == "add" and advice["unit"] == "GB" and advice["currency"] == "USD"
    assert advice["monthly_cost"] == pytest.approx(advice["amount"] * 0.11)
    assert advice["cost_source"].startswith("price sheet on-premises-vm (the default sheet)")
    assert "has not reported its disk_total_gb" in rows["FTA-BARE", "disk"].recommendation["reason"]

    state |= nodes.generate_report(state)
    assert state["insight"]["analyst"] == "deterministic"
    with session_scope() as session:
        run = session.get(CapacityForecastRun, uuid.UUID(state["run_id"]))
        assert run.finished_at is not None
        assert run.workstation_count == 4
        assert run.insight == state["insight"]["insight"]


def test_a_node_without_an_open_run_refuses() -> None:
    with pytest.raises(ValueError, match="fetch_metrics must run first"):
        nodes.analyze_trends(dict(INPUTS))


def test_checkpoints_hold_ids_and_counts_not_series(estate: None) -> None:
    saver = InMemorySaver()
    graph = build_graph().compile(checkpointer=saver)
    config = {"configurable": {"thread_id": "capacity-test"}}
    final = inside_a_flow(lambda: graph.invoke(dict(INPUTS), config=config))
    assert final["saturation"]["likely"] == 2
    assert graph.get_state(config).next == ()
    checkpoints = list(saver.list(config))
    assert len(checkpoints) == 8  # input, six steps, and the start
    largest = max(len(saver.serde.dumps_typed(c.checkpoint)[1]) for c in checkpoints)
    assert largest < 4_000


def test_a_stopped_run_resumes_from_its_checkpoint(estate: None) -> None:
    """Stopped after `forecast` (as a crash would), the same thread finishes the same run."""
    config = {"configurable": {"thread_id": f"capacity-{uuid.uuid4()}"}}
    with open_checkpointer() as saver:
        graph = build_graph().compile(checkpointer=saver, interrupt_after=["forecast"])
        stopped = inside_a_flow(lambda: graph.invoke(dict(INPUTS), config=config))
        assert "saturation" not in stopped
        assert graph.get_state(config).next == ("analyze_saturation",)
        final = build_graph().compile(checkpointer=saver).invoke(None, config=config)
    assert final["run_id"] == stopped["run_id"]
    assert final["saturation"] == {"likely": 2, "possible": 0}
    with session_scope() as session:
        runs = session.scalars(select(CapacityForecastRun)).all()
        assert [run.id for run in runs] == [uuid.UUID(final["run_id"])]
        assert runs[0].finished_at is not None
