"""Retraining the failure text model on recorded resolutions: applied only when the newest
resolutions, held out, are classified better; reverting brings back the catalogue's model."""

from datetime import UTC, datetime, timedelta

import pytest

from resync.joblog.text_model import catalogue_model
from resync.learning.failure_model import (
    model_in_force,
    propose_failure_model,
    resolved_examples,
)

T0 = datetime(2026, 12, 1, tzinfo=UTC)
# Two in-house messages no catalogue knows, as an estate's own tools print them.
FORMS = {
    "disk_full": "VLT-{n}: vault store {n} sealed, ledger volume has no room for batch {n}",
    "connection_failure": "GWX-{n}: gateway tunnel to branch {n} collapsed while dialling",
}


def joblog(message: str) -> str:
    return f"Starting batch\nERROR {message}\n= Exit Status : 4\n"


@pytest.fixture(scope="module")
def examples():
    rows = [
        (joblog(FORMS[cls].format(n=100 + i)), cls, T0 + timedelta(hours=i))
        for i in range(30)
        for cls in [("disk_full", "connection_failure")[i % 2]]
    ]
    return resolved_examples(rows)


def test_each_resolution_teaches_its_decisive_line(examples) -> None:
    first, recorded_at = examples[0]
    assert (first.text, first.failure_class) == (
        "ERROR VLT-100: vault store 100 sealed, ledger volume has no room for batch 100",
        "disk_full",
    )
    assert recorded_at == T0


def test_the_retrained_model_is_applied_when_the_held_out_resolutions_score_better(
    examples,
) -> None:
    proposal = propose_failure_model(examples, None, holdout_fraction=0.3, min_resolutions=20)
    assert (proposal.change_type, proposal.target, proposal.held_out_size) == (
        "failure_text_model",
        "joblog",
        9,
    )
    assert proposal.metric_before == 0.0
    assert proposal.metric_after > 0.3
    assert proposal.applied
    assert proposal.reason.startswith("applied: held-out accuracy 0 → ")
    assert proposal.parameters_after == {
        "through": (T0 + timedelta(hours=20)).isoformat(),
        "resolutions": 21,
    }

    learned = model_in_force(examples, proposal.parameters_after)
    decided = learned.decide(
        ["ERROR GWX-977: gateway tunnel to branch 977 collapsed while dialling"]
    )
    assert decided is not None and decided[1] == "connection_failure"
    assert decided[2] >= learned.threshold
    assert learned.resolutions == 21
    # Reverted (no change in force): the catalogue's model, which does not know the message.
    assert model_in_force(examples, None) is catalogue_model()
    assert catalogue_model().decide(["ERROR GWX-977: gateway tunnel collapsed"]) is None

    again = propose_failure_model(
        examples, proposal.parameters_after, holdout_fraction=0.3, min_resolutions=20
    )
    assert again == "no resolution recorded since the model in force " + (
        f"({(T0 + timedelta(hours=20)).isoformat()})"
    )


def test_too_few_resolutions_leave_the_model_alone(examples) -> None:
    assert (
        propose_failure_model(examples[:5], None, holdout_fraction=0.3, min_resolutions=20)
        == "5 resolutions with a class, 20 needed"
    )
