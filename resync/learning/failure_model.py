"""Retraining the failure text model on the resolutions operators recorded with a class.

Each resolved failure teaches the model its decisive error's lines under the class the operator
gave. The newest resolutions are held out: the model trained on the older ones without them
(the one in force) and with them (the proposal) classify the held-out failures, and the
proposal is applied only when it gets more of them right. A version is fully described by the
time of the last resolution it learned from, so reverting the change brings back the model
before it, trained again the same way.
"""

from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

from resync.joblog.classification import classify_joblog
from resync.joblog.text_model import Resolved, TextModel, catalogue_model, train_text_model
from resync.learning.changes import Proposal, improves, verdict

CHANGE_TYPE = "failure_text_model"
TARGET = "joblog"


def resolved_examples(rows: Sequence[tuple[str, str, datetime]]) -> list[tuple[Resolved, datetime]]:
    """Each resolved failure's decisive lines, labelled with its class, and when it was resolved."""
    examples = []
    for joblog, failure_class, recorded_at in rows:
        lines = joblog.splitlines()
        decisive = classify_joblog(joblog).decisive_lines or [len(lines)]
        text = "\n".join(lines[n - 1] for n in decisive if n <= len(lines))
        if text.strip():
            examples.append((Resolved(text, failure_class), recorded_at))
    return examples


@lru_cache(maxsize=4)
def _trained(examples: tuple[Resolved, ...]) -> TextModel:
    return train_text_model(examples)


def model_for(examples: Sequence[tuple[Resolved, datetime]], through: datetime | None) -> TextModel:
    """The model trained on the resolutions recorded up to `through` (none: the catalogue's)."""
    learned = tuple(case for case, recorded_at in examples if through and recorded_at <= through)
    return _trained(learned) if learned else catalogue_model()


def model_in_force(
    examples: Sequence[tuple[Resolved, datetime]], parameters: Mapping[str, Any] | None
) -> TextModel:
    """The model of the applied, unreverted change (its parameters), or the catalogue's."""
    through = datetime.fromisoformat(parameters["through"]) if parameters else None
    return model_for(examples, through)


def held_out_accuracy(model: TextModel, cases: Sequence[Resolved]) -> float:
    """The share of `cases` the model names right (no answer counts as `unknown`)."""
    right = 0
    for case in cases:
        decided = model.decide(case.text.splitlines())
        right += (decided[1] if decided else "unknown") == case.failure_class
    return right / len(cases)


def propose_failure_model(
    examples: Sequence[tuple[Resolved, datetime]],
    current: Mapping[str, Any] | None,
    *,
    holdout_fraction: float,
    min_resolutions: int,
) -> Proposal | str:
    """A model trained on every older resolution, or the reason there is none."""
    if len(examples) < min_resolutions:
        return f"{len(examples)} resolutions with a class, {min_resolutions} needed"
    cut = max(1, round(len(examples) * holdout_fraction))
    training, held_out = examples[:-cut], [case for case, _ in examples[-cut:]]
    newest = training[-1][1]
    through = datetime.fromisoformat(current["through"]) if current else None
    if through is not None and through >= newest:
        return f"no resolution recorded since the model in force ({through.isoformat()})"
    before = held_out_accuracy(model_for(training, through), held_out)
    after = held_out_accuracy(model_for(training, newest), held_out)
    applied = improves(before, after, higher_is_better=True, tolerance=0.0)
    return Proposal(
        change_type=CHANGE_TYPE,
        target=TARGET,
        parameters_before=dict(current) if current else None,
        parameters_after={"through": newest.isoformat(), "resolutions": len(training)},
        metric="accuracy",
        metric_before=round(before, 4),
        metric_after=round(after, 4),
        held_out_size=len(held_out),
        applied=applied,
        reason=verdict(
            "accuracy", before, after, applied, f"the newest {len(held_out)} resolutions"
        ),
        higher_is_better=True,
    )
