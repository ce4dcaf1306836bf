"""Calibrating prediction confidence from outcomes (isotonic regression, scikit-learn).

A calibrator maps the confidence `predict` computed to the share of such predictions that came
true. One is fitted per maintenance kind with enough judged outcomes, and one over every kind
(`all`) for the kinds with too few of their own. Outcomes are split by due date: the calibrator
is fitted on the older part and scored (Brier score) on the newer, held-out part against the
calibrator in force; it is applied only when the held-out score improves.
"""

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import numpy as np
import polars as pl
from sklearn.isotonic import IsotonicRegression

from resync.learning.changes import Proposal, improves, verdict
from resync.maintenance.types import Prediction

POOLED = "all"
MIN_IMPROVEMENT = 0.01


def brier_score(confidence: np.ndarray, outcome: np.ndarray) -> float:
    """Mean squared difference between confidence and what happened (0 or 1)."""
    return float(np.mean((np.asarray(confidence) - np.asarray(outcome, dtype=float)) ** 2))


def expected_calibration_error(
    confidence: np.ndarray, outcome: np.ndarray, bins: int = 10
) -> float:
    """Σ over equal-width confidence bins of (bin share) × |mean confidence − rate of success|."""
    confidence = np.asarray(confidence, dtype=float)
    outcome = np.asarray(outcome, dtype=float)
    if confidence.size == 0:
        return 0.0
    index = np.minimum((confidence * bins).astype(int), bins - 1)
    error = 0.0
    for bin_number in np.unique(index):
        members = index == bin_number
        error += members.mean() * abs(confidence[members].mean() - outcome[members].mean())
    return float(error)


def fit_calibrator(confidence: np.ndarray, outcome: np.ndarray) -> dict[str, list[float]]:
    """An increasing step-free map from raw confidence to probability, as its knots."""
    model = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
    model.fit(np.asarray(confidence, dtype=float), np.asarray(outcome, dtype=float))
    return {
        "x": [round(float(v), 6) for v in model.X_thresholds_],
        "y": [round(float(v), 6) for v in model.y_thresholds_],
    }


def apply_calibration(confidence: float | np.ndarray, calibrator: Mapping[str, Any] | None):
    """The calibrated confidence (unchanged without a calibrator)."""
    if calibrator is None:
        return confidence
    return np.interp(confidence, calibrator["x"], calibrator["y"])


def choose_calibrator(
    calibrators: Mapping[str, Mapping[str, Any]], kind: str
) -> Mapping[str, Any] | None:
    """The kind's own calibrator, else the pooled one when it was fitted for the kind, else none."""
    pooled = calibrators.get(POOLED)
    if kind in calibrators:
        return calibrators[kind]
    return pooled if pooled and kind in pooled.get("kinds", ()) else None


def calibrate_predictions(
    predictions: list[Prediction], calibrators: Mapping[str, Mapping[str, Any]]
) -> list[Prediction]:
    """Predictions with their kind's calibrator applied; the raw confidence kept in evidence."""
    calibrated = []
    for prediction in predictions:
        calibrator = choose_calibrator(calibrators, prediction.kind)
        if calibrator is not None:
            confidence = round(float(apply_calibration(prediction.confidence, calibrator)), 4)
            evidence = {**prediction.evidence, "raw_confidence": prediction.confidence}
            prediction = prediction.model_copy(
                update={"confidence": confidence, "evidence": evidence}
            )
        calibrated.append(prediction)
    return calibrated


def _split(frame: pl.DataFrame, holdout_fraction: float) -> tuple[pl.DataFrame, pl.DataFrame]:
    ordered = frame.sort("due_at", "subject_id")
    held_out = max(1, round(ordered.height * holdout_fraction))
    return ordered.head(ordered.height - held_out), ordered.tail(held_out)


def _propose(
    change_type: str,
    target: str,
    frame: pl.DataFrame,
    current: Mapping[str, Any] | None,
    holdout_fraction: float,
) -> Proposal:
    train, held_out = _split(frame, holdout_fraction)
    after = fit_calibrator(train["confidence"].to_numpy(), train["happened"].to_numpy())
    raw, truth = held_out["confidence"].to_numpy(), held_out["happened"].to_numpy()
    score_before = brier_score(apply_calibration(raw, current), truth)
    score_after = brier_score(apply_calibration(raw, after), truth)
    applied = improves(score_before, score_after, higher_is_better=False, tolerance=MIN_IMPROVEMENT)
    return Proposal(
        change_type=change_type,
        target=target,
        parameters_before=dict(current) if current else None,
        parameters_after=after,
        metric="brier",
        metric_before=round(score_before, 6),
        metric_after=round(score_after, 6),
        held_out_size=held_out.height,
        applied=applied,
        reason=verdict(
            "Brier score", score_before, score_after, applied, f"{held_out.height} outcomes"
        ),
        details={
            "trained_on": train.height,
            "ece_before": round(
                expected_calibration_error(apply_calibration(raw, current), truth), 4
            ),
            "ece_after": round(expected_calibration_error(apply_calibration(raw, after), truth), 4),
        },
    )


def propose_calibrations(
    outcomes: pl.DataFrame,
    current: Mapping[str, Mapping[str, Any]],
    *,
    min_outcomes: int,
    holdout_fraction: float,
    change_type: str = "calibration",
) -> tuple[list[Proposal], dict[str, str]]:
    """Proposals per kind with enough outcomes, one pooled over the kinds without (`all`, its
    parameters name those kinds), and why each kind left out got none.

    `outcomes` has `subject_id`, `kind`, `due_at`, `confidence` (raw) and `happened`;
    `change_type` names what is calibrated (maintenance confidence, capacity saturation).
    """
    proposals, skipped = [], {}
    judged = outcomes.drop_nulls("confidence")
    for (kind,), frame in sorted(judged.partition_by("kind", as_dict=True).items()):
        if frame.height < min_outcomes:
            skipped[kind] = f"{frame.height} judged outcomes, {min_outcomes} needed"
        else:
            proposals.append(
                _propose(change_type, kind, frame, current.get(kind), holdout_fraction)
            )
    if not skipped:
        return proposals, skipped
    pooled = judged.filter(pl.col("kind").is_in(list(skipped)))
    if pooled.height >= min_outcomes:
        proposal = _propose(change_type, POOLED, pooled, current.get(POOLED), holdout_fraction)
        kinds = sorted(skipped)
        proposals.append(
            replace(proposal, parameters_after={**proposal.parameters_after, "kinds": kinds})
        )
    else:
        skipped[POOLED] = (
            f"{pooled.height} judged outcomes of the kinds without their own, {min_outcomes} needed"
        )
    return proposals, skipped
