"""GET /api/v1/capacity/forecasts: the latest forecast per FTA × resource from finished runs."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from resync.db.engine import get_engine
from resync.db.models import CapacityForecast, CapacityForecastRun

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def store_run(
    started: datetime, finished: bool, forecasts: list[dict[str, Any]], history_days: int = 30
) -> uuid.UUID:
    run_id = uuid.uuid4()
    with get_engine().begin() as connection:
        connection.execute(
            insert(CapacityForecastRun).values(
                id=run_id,
                started_at=started,
                finished_at=started + timedelta(minutes=2) if finished else None,
                history_days=history_days,
                scope="estate" if history_days >= 30 else "partial",
                horizon_days=90,
                workstation_count=2,
                analyst="deterministic",
                insight="",
            )
        )
        for row in forecasts:
            connection.execute(
                insert(CapacityForecast).values(run_id=run_id, **{"status": "forecast", **row})
            )
    return run_id


def crossing(days: float) -> dict[str, Any]:
    saturation = NOW + timedelta(days=days)
    return {
        "threshold": 90.0,
        "mase": 0.8,
        "model": "theta",
        "saturation_date": saturation,
        "saturation_date_earliest": saturation - timedelta(days=3),
        "crossing_probability": 0.9,
        "risk": "likely",
        "order_by_date": saturation - timedelta(days=30),
        "days_to_saturation": days,
        "recommendation": {"action": "add", "amount": 100, "unit": "GB", "currency": "USD"},
    }


@pytest.fixture
def runs(database_url: str) -> dict[str, uuid.UUID]:
    old = store_run(
        NOW - timedelta(days=7),
        True,
        [
            {"workstation": "FTA-A", "resource": "disk", **crossing(5)},
            {"workstation": "FTA-B", "resource": "cpu", "threshold": 95.0, "mase": 1.1},
        ],
    )
    new = store_run(
        NOW,
        True,
        [
            {"workstation": "FTA-A", "resource": "disk", **crossing(40)},
            {"workstation": "FTA-A", "resource": "memory", "threshold": 95.0, "mase": 0.7,
             "saturation_date_earliest": NOW + timedelta(days=80),
             "crossing_probability": 0.15, "risk": "possible",
             "recommendation": {"action": "watch", "reason": "possible saturation"}},
            {"workstation": "FTA-C", "resource": "cpu", "status": "insufficient_data"},
        ],
    )  # fmt: skip
    running = store_run(
        NOW + timedelta(days=1),
        False,
        [{"workstation": "FTA-A", "resource": "disk", **crossing(1)}],
    )
    return {"old": old, "new": new, "running": running}


def get(client: TestClient, make_key, **params: Any) -> Any:
    _, key = make_key(["metrics:read"])
    response = client.get("/api/v1/capacity/forecasts", params=params, headers={"X-API-Key": key})
    assert response.status_code == 200, response.text
    return response.json()


def test_latest_finished_forecast_per_series_soonest_first(client, make_key, runs) -> None:
    body = get(client, make_key)
    assert body["count"] == 4
    keys = [(row["workstation"], row["resource"]) for row in body["data"]]
    # By order-by date (a likely crossing), then probability (possible), then none; the
    # unfinished run is ignored.
    assert keys == [("FTA-A", "disk"), ("FTA-A", "memory"), ("FTA-B", "cpu"), ("FTA-C", "cpu")]
    disk, memory, old_cpu, new_fta = body["data"]
    assert disk["run_id"] == str(runs["new"])
    assert disk["days_to_saturation"] == 40
    assert disk["saturation_date"].startswith("2027-01-01T01:00:00")
    assert disk["saturation_date_earliest"].startswith("2026-12-29")
    assert disk["order_by_date"].startswith("2026-12-02")
    assert disk["mase"] == 0.8
    assert disk["recommendation"]["unit"] == "GB"
    assert (disk["risk"], disk["crossing_probability"]) == ("likely", 0.9)
    assert memory["saturation_date"] is None
    assert memory["saturation_date_earliest"].startswith("2027-02-10")
    assert (memory["risk"], memory["crossing_probability"]) == ("possible", 0.15)
    assert memory["recommendation"]["action"] == "watch"
    assert old_cpu["run_id"] == str(runs["old"])
    assert old_cpu["saturation_date"] is None and old_cpu["order_by_date"] is None
    assert old_cpu["risk"] is None
    assert new_fta["status"] == "insufficient_data" and new_fta["risk"] is None
    assert "series" not in disk


def test_filters(client, make_key, runs) -> None:
    at_risk = get(client, make_key, at_risk="true")
    assert [(r["workstation"], r["resource"]) for r in at_risk["data"]] == [
        ("FTA-A", "disk"),
        ("FTA-A", "memory"),
    ]
    assert get(client, make_key, at_risk="false")["count"] == 2
    likely = get(client, make_key, risk="likely")
    assert [(r["workstation"], r["resource"]) for r in likely["data"]] == [("FTA-A", "disk")]
    possible = get(client, make_key, risk="possible", at_risk="true")
    assert [(r["workstation"], r["resource"]) for r in possible["data"]] == [("FTA-A", "memory")]
    assert get(client, make_key, workstation="fta-b")["data"][0]["resource"] == "cpu"
    only_cpu = get(client, make_key, resource="cpu")
    assert {r["workstation"] for r in only_cpu["data"]} == {"FTA-B", "FTA-C"}
    limited = get(client, make_key, limit=1)
    assert limited["count"] == 4 and len(limited["data"]) == 1


def test_a_narrow_run_never_replaces_the_estate_view(client, make_key, runs) -> None:
    narrow = store_run(
        NOW + timedelta(days=2),
        True,
        [{"workstation": "FTA-A", "resource": "disk", "status": "insufficient_data"}],
        history_days=1,
    )
    estate = get(client, make_key, workstation="fta-a", resource="disk")
    assert [row["run_id"] for row in estate["data"]] == [str(runs["new"])]
    assert estate["data"][0]["days_to_saturation"] == 40
    only = get(client, make_key, run_id=str(narrow))
    assert only["count"] == 1 and only["data"][0]["status"] == "insufficient_data"
    assert only["data"][0]["run_id"] == str(narrow)


def test_an_unknown_or_unfinished_run_is_404(client, make_key, runs) -> None:
    _, key = make_key(["metrics:read"])
    unknown = uuid.uuid4()
    for run_id, state in ((unknown, "does not exist"), (runs["running"], "has not finished")):
        response = client.get(
            "/api/v1/capacity/forecasts", params={"run_id": str(run_id)}, headers={"X-API-Key": key}
        )
        assert response.status_code == 404
        assert response.json() == {"detail": f"Capacity run {run_id} {state}"}


def test_empty_estate(client, make_key) -> None:
    assert get(client, make_key) == {"data": [], "count": 0}


@pytest.mark.parametrize(
    ("params", "field"),
    [({"resource": "gpu"}, "resource"), ({"workstation": "bad name!"}, "workstation"),
     ({"at_risk": "maybe"}, "at_risk"), ({"risk": "expected"}, "risk"),
     ({"limit": 0}, "limit")],
)  # fmt: skip
def test_bad_filters_are_422(client, make_key, params, field) -> None:
    _, key = make_key(["metrics:read"])
    response = client.get("/api/v1/capacity/forecasts", params=params, headers={"X-API-Key": key})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", field]


def test_needs_metrics_read(client, make_key) -> None:
    _, key = make_key(["metrics:write"])
    response = client.get("/api/v1/capacity/forecasts", headers={"X-API-Key": key})
    assert response.status_code == 403
    assert response.json()["detail"] == "API key lacks the 'metrics:read' scope"
