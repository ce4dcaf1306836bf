"""Learned parameters in use: the next maintenance and capacity runs after an auto-learning run."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from sqlalchemy import select
from typer.testing import CliRunner

from flows.auto_learning import auto_learning
from flows.capacity_forecast import capacity_forecast
from graphs.maintenance.nodes import route_after_recommend
from resync.cli import app
from resync.db.engine import session_scope
from resync.db.models import CapacityForecast, LearnedChange
from resync.maintenance.report import findings_markdown
from tasks.maintenance import recommend_actions
from tests.support.capacity_data import history_frame, now_hour, store_history
from tests.support.learning_feedback import REVIEWED

pytestmark = pytest.mark.usefixtures("prefect_api")


def changes() -> dict[tuple[str, str], LearnedChange]:
    with session_scope() as session:
        rows = session.scalars(select(LearnedChange).order_by(LearnedChange.id))
        return {(row.change_type, row.target): row for row in rows}


def table_artifact(flow_run_id, key: str) -> list[dict]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    [table] = [artifact.data for artifact in found if artifact.key == key]
    return json.loads(table)


def predictions(workstation: str) -> list[dict]:
    """A confident disk filling and message-file filling on `workstation`, as `predict` gives."""
    due = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    return [
        {
            "workstation": workstation,
            "kind": kind,
            "resource": resource,
            "predicted_failure_date": due,
            "confidence": 0.9,
            "evidence_summary": kind,
            "evidence": {
                "threshold": 90.0,
                "peak_now": 70.0,
                "degradations": [
                    {
                        "resource": resource,
                        "statistic": "slope_per_day",
                        "value": 1.0,
                        "window": {"start": "2026-10-28T00:00:00", "end": "2026-11-27T00:00:00"},
                        "detail": {"r_squared": 0.97},
                    }
                ],
            },
        }
        for kind, resource in (
            ("disk_filling", "disk_percent"),
            ("message_file_filling", "message_file:Mailbox.msg"),
        )
    ]


def proposed(findings: list[dict]) -> dict[str, list[tuple[str, bool]]]:
    return {
        f["kind"]: [(a["command"], a["auto_approvable"]) for a in f["actions"]] for f in findings
    }


@pytest.mark.usefixtures("outside_runs")
def test_reviewers_rejections_change_what_the_next_maintenance_run_proposes_and_routes(
    learning_estate: datetime,
) -> None:
    before = recommend_actions.fn(predictions(REVIEWED), {})
    assert proposed(before) == {
        "disk_filling": [("clean_stdlist", True)],
        "message_file_filling": [("resize_message_file", True)],
    }
    assert route_after_recommend({"findings": before}) == "execute_actions"

    auto_learning()
    learned = changes()
    review = learned["action_policy", "disk_filling/clean_stdlist"]
    # Approved in 3 of the 7 older runs: a person decides from now on. Held out (the last three
    # runs: rejected, rejected, approved) the catalogue's auto-approval agreed once, asking half.
    assert review.applied and review.parameters_after == {"policy": "review"}
    assert (review.metric_before, review.metric_after) == (pytest.approx(1 / 3, abs=1e-4), 0.5)
    withhold = learned["action_policy", "message_file_filling/resize_message_file"]
    assert withhold.applied and withhold.parameters_after == {"policy": "withhold"}
    assert (withhold.metric_before, withhold.metric_after) == (0.0, 1.0)

    after = recommend_actions.fn(predictions(REVIEWED), {})
    assert proposed(after) == {
        "disk_filling": [("clean_stdlist", False)],
        "message_file_filling": [],
    }
    message = next(f for f in after if f["kind"] == "message_file_filling")
    assert message["evidence"]["withheld_actions"] == ["resize_message_file"]
    # The reviewer's briefing says what is no longer proposed, and why.
    briefing = findings_markdown(after, {"insight": "", "analyst": "deterministic"})
    assert "- `resize_message_file` not proposed: reviewers rejected it" in briefing
    assert route_after_recommend({"findings": after}) == "human_review"

    reverted = CliRunner().invoke(app, ["learning", "revert", str(withhold.id)])
    assert reverted.exit_code == 0, reverted.output
    again = recommend_actions.fn(predictions(REVIEWED), {})
    assert proposed(again)["message_file_filling"] == [("resize_message_file", True)]


def test_capacity_outcomes_calibrate_the_next_capacity_run(
    learning_estate: datetime, client: TestClient, make_key
) -> None:
    auto_learning()
    calibration = changes()["capacity_calibration", "disk_saturation"]
    # Every forecast said 0.5 and one in four came true. Held out: the newest run's 8 (2 true)
    # and 2 steady FTAs of the run before; trained on the other 22 (6 true).
    assert calibration.applied and calibration.metric == "brier"
    assert calibration.metric_before == 0.25
    assert calibration.parameters_after["y"] == [pytest.approx(6 / 22, abs=1e-4)]
    brier = 0.2 * (16 / 22) ** 2 + 0.8 * (6 / 22) ** 2
    assert calibration.metric_after == pytest.approx(brier, abs=1e-6)

    end = now_hour() - timedelta(minutes=5)
    store_history(history_frame("WS-GROW", 14, end, disk_start=60, disk_per_day=1.0))
    state = capacity_forecast(workstations=["WS-GROW"], resources=["disk"], return_state=True)
    with session_scope() as session:
        row = session.scalars(
            select(CapacityForecast).where(CapacityForecast.workstation == "WS-GROW")
        ).one()
    assert row.saturation_date is not None
    assert row.saturation_probability == round(6 / 22, 4)
    table = table_artifact(state.state_details.flow_run_id, "capacity-at-risk")
    assert [r["probability"] for r in table] == [round(6 / 22, 4)]
    api = client.get(
        "/api/v1/capacity/forecasts?workstation=WS-GROW",
        headers={"X-API-Key": make_key(["metrics:read"])[1]},
    ).json()
    assert [f["saturation_probability"] for f in api["data"]] == [round(6 / 22, 4)]
