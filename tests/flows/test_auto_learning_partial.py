"""Auto-learning with one FTA a learner fails on: that FTA's error, the others learned from."""

from datetime import datetime

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from sqlalchemy import select

import tasks.learning
from flows.auto_learning import auto_learning
from resync.db.engine import session_scope
from resync.db.models import Alert, LearnedChange
from tests.support.learning_history import FILLING

pytestmark = pytest.mark.usefixtures("prefect_api")

BROKEN = FILLING[0]


def test_a_failing_fta_is_left_out_and_named(learning_estate: datetime, monkeypatch) -> None:
    propose = tasks.learning.propose_model_preference

    def failing_on_one_fta(values, target, *arguments, **options):
        if target.startswith(f"{BROKEN}/"):
            raise FloatingPointError("overflow in the backtest")
        return propose(values, target, *arguments, **options)

    monkeypatch.setattr(tasks.learning, "propose_model_preference", failing_on_one_fta)

    result = auto_learning()

    assert result["partial"] is True
    assert result["fta_errors"] == {BROKEN: "FloatingPointError: overflow in the backtest"}
    with session_scope() as session:
        targets = set(session.scalars(select(LearnedChange.target)))
        alerts = {
            (alert.workstation, alert.rule): alert.message
            for alert in session.scalars(select(Alert).where(Alert.resolved_at.is_(None)))
        }
    # Every other learner's changes are recorded; the other FTAs' forecast models were weighed.
    assert {"disk_filling", "cpu_saturation/WS-SPIKY", "disk_saturation"} <= targets
    with get_client(sync_client=True) as client:
        (report,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["auto-learning"])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert f"| forecast_models: {FILLING[1]}/disk |" in report.data
    failed = f"| forecast_models: {BROKEN} | failed: FloatingPointError: overflow in the backtest |"
    assert failed in report.data
    assert f"| forecast_models: {BROKEN}/disk |" not in report.data
    assert alerts[(BROKEN, "learning_failed")] == (
        "learning failed on this FTA, the others were processed: "
        "FloatingPointError: overflow in the backtest"
    )
