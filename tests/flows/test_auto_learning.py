"""The auto-learning flow end to end on both backends, with a real Prefect API."""

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from sqlalchemy import select
from typer.testing import CliRunner

from flows.auto_learning import auto_learning
from resync.cli import app
from resync.db.engine import get_engine, session_scope
from resync.db.models import (
    Alert,
    AlertReview,
    LearnedChange,
    LearningOutcome,
    Workstation,
)
from resync.learning.parameters import active_parameters, alert_overrides
from tests.support.learning_feedback import (
    MAILBOX_COMMENT,
    STDLIST_COMMENT,
)
from tests.support.learning_history import FILLING, SPIKY

PROJECT = Path(__file__).resolve().parents[2]


def artifacts(flow_run_id: uuid.UUID) -> dict[str, str]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact.data for artifact in found}


def changes() -> dict[tuple[str, str], LearnedChange]:
    with session_scope() as session:
        rows = session.scalars(select(LearnedChange).order_by(LearnedChange.id))
        return {(row.change_type, row.target): row for row in rows}


def test_flow_judges_outcomes_and_applies_what_improves(
    learning_estate: datetime, prefect_api
) -> None:
    state = auto_learning(return_state=True)
    result = state.result()

    # 48 findings (half came true) and 32 capacity forecasts (one in four came true).
    assert result["outcomes"] == {
        "due": 80, "judged": 80, "happened": 32, "without_samples": 0, "stored": 80
    }  # fmt: skip
    with session_scope() as session:
        outcomes = session.scalars(select(LearningOutcome)).all()
    capacity = [o for o in outcomes if o.source == "capacity"]
    assert {(o.kind, o.confidence) for o in capacity} == {("disk_saturation", 0.5)}
    assert sum(o.happened for o in capacity) == 8
    assert {o.workstation for o in outcomes if o.happened} == set(FILLING)
    assert all(o.observed_peak < 90 for o in outcomes if not o.happened)

    learned = changes()
    calibration = learned["calibration", "disk_filling"]
    assert calibration.applied and calibration.metric == "brier"
    # Every finding claimed 0.9 and half came true. The 14 held out are the newest run's 12
    # (half true) and 2 of the run before, drawn by id: 6 to 8 true, a Brier score of 0.35 to
    # 0.47 before; near 0.25 once 0.9 means one in two.
    assert 0.35 <= calibration.metric_before <= 0.47
    assert calibration.metric_after < 0.3
    assert calibration.parameters_after["y"] == [pytest.approx(0.5, abs=0.1)]
    tuning = learned["alert_rule", f"cpu_saturation/{SPIKY}"]
    assert tuning.applied
    assert tuning.parameters_before == {"threshold": 95.0, "samples": 3}
    # The spikes last four samples, real saturation twelve: five is the smallest count that
    # drops the spikes and keeps every confirmed alert.
    assert tuning.parameters_after == {"threshold": 95.0, "samples": 5}
    assert (tuning.metric_before, tuning.metric_after) == (pytest.approx(1 / 3, abs=1e-3), 1.0)
    assert sorted(result["applied"]) == sorted(c.id for c in learned.values() if c.applied)
    assert all(c.flow_run_id == state.state_details.flow_run_id for c in learned.values())
    with get_engine().connect() as connection:
        assert alert_overrides(connection) == {
            ("cpu_saturation", SPIKY): {"threshold": 95.0, "samples": 5}
        }
        assert set(active_parameters(connection, "calibration")) == {"disk_filling"}

    report = artifacts(state.state_details.flow_run_id)["auto-learning"]
    assert "#### Learned and applied" in report
    assert f"cpu_saturation/{SPIKY}" in report
    assert "samples 3 → threshold 95, samples 5" in report
    assert "Alert reviews: cpu_saturation confirmed 3, cpu_saturation false_alarm 7." in report
    assert (
        "| disk_filling | extend_filesystem | 6 | 6 | steady for months \\| not filling |" in report
    )
    assert f"| disk_filling | clean_stdlist | 4 | 6 | {STDLIST_COMMENT} |" in report
    assert f"| message_file_filling | resize_message_file | 0 | 10 | {MAILBOX_COMMENT} |" in report
    assert "| defaults → policy withhold | agreement 0 → 1 (n=3) |" in report
    assert "#### Not learned" in report


def test_second_run_judges_nothing_twice_and_scores_against_what_is_in_force(
    learning_estate: datetime, prefect_api
) -> None:
    auto_learning()
    second = auto_learning()

    assert second["outcomes"]["due"] == 0
    with session_scope() as session:
        assert len(session.scalars(select(LearningOutcome)).all()) == 80
        latest = session.scalars(
            select(LearnedChange)
            .where(LearnedChange.change_type == "calibration")
            .order_by(LearnedChange.id.desc())
        ).first()
    # The calibrator applied by the first run is the baseline of the second: no gain, not applied.
    assert latest.parameters_before is not None
    assert latest.metric_before == pytest.approx(latest.metric_after, abs=1e-6)
    assert not latest.applied
    assert latest.reason.startswith("not applied:")


def test_learning_list_and_revert_from_the_command_line(
    learning_estate: datetime, prefect_api
) -> None:
    auto_learning()
    tuning = changes()["alert_rule", f"cpu_saturation/{SPIKY}"]
    runner = CliRunner()

    listed = runner.invoke(app, ["learning", "list"])
    assert listed.exit_code == 0, listed.output
    assert f"cpu_saturation/{SPIKY}" in listed.output and "applied" in listed.output

    reverted = runner.invoke(app, ["learning", "revert", str(tuning.id)])
    assert reverted.exit_code == 0, reverted.output
    assert reverted.output.strip() == f"reverted {tuning.id} (alert_rule cpu_saturation/{SPIKY})"
    with get_engine().connect() as connection:
        assert alert_overrides(connection) == {}

    again = runner.invoke(app, ["learning", "revert", str(tuning.id)])
    assert again.exit_code == 2
    assert "was already reverted" in again.output
    missing = runner.invoke(app, ["learning", "revert", "999999"])
    assert missing.exit_code == 2
    assert "no learned change with id 999999" in missing.output


def test_alert_review_from_the_command_line(database_url: str) -> None:
    runner = CliRunner()
    now = datetime.now(UTC)
    with session_scope() as session:
        session.add(Workstation(name="WS-A", last_sample_at=now))
        session.flush()
        alert = Alert(workstation="WS-A", rule="cpu_saturation", severity="critical", message="m")
        session.add(alert)
        session.flush()
        alert_id = alert.id
    for verdict, comment in (("confirmed", "real"), ("false_alarm", "batch start")):
        arguments = ["learning", "review-alert", str(alert_id), "--verdict", verdict]
        done = runner.invoke(app, [*arguments, "--comment", comment, "--reviewer", "ana"])
        assert done.exit_code == 0, done.output
        assert done.output.strip() == f"alert {alert_id}: {verdict}"
    with session_scope() as session:
        [review] = session.scalars(select(AlertReview)).all()
        # A second verdict on the same alert replaces the first.
        assert (review.verdict, review.comment, review.decided_by) == (
            "false_alarm",
            "batch start",
            "ana",
        )
    refused = runner.invoke(app, ["learning", "review-alert", "12345", "--verdict", "false_alarm"])
    assert refused.exit_code == 2
    assert "no alert with id 12345" in refused.output
    bad = runner.invoke(app, ["learning", "review-alert", "1", "--verdict", "maybe"])
    assert bad.exit_code == 2
    assert "verdict must be one of confirmed, false_alarm" in bad.output


def test_deployment_runs_weekly_on_monday_0300_utc() -> None:
    document = yaml.safe_load((PROJECT / "prefect.yaml").read_text())
    [deployment] = [d for d in document["deployments"] if d["name"] == "auto-learning"]
    assert deployment["entrypoint"] == "flows/auto_learning.py:auto_learning"
    assert deployment["schedules"] == [{"cron": "0 3 * * 1", "timezone": "UTC"}]
    assert deployment["concurrency_limit"] == 1
