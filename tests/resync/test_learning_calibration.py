"""Confidence calibration: ECE and Brier, isotonic fit, per-kind and pooled proposals."""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pytest

from resync.learning.calibration import (
    apply_calibration,
    brier_score,
    choose_calibrator,
    expected_calibration_error,
    fit_calibrator,
    propose_calibrations,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def outcomes(kind: str, confidence: np.ndarray, happened: np.ndarray) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "subject_id": [f"{kind}-{i}" for i in range(confidence.size)],
            "kind": kind,
            "due_at": [START + timedelta(hours=i) for i in range(confidence.size)],
            "confidence": confidence,
            "happened": happened,
        }
    )


def test_ece_and_brier_by_hand() -> None:
    confidence = np.array([0.9, 0.9, 0.1, 0.1])
    happened = np.array([1, 0, 0, 0])
    # Bin 0.9: mean 0.9 against 0.5 (half the weight); bin 0.1: 0.1 against 0.
    assert expected_calibration_error(confidence, happened) == pytest.approx(0.5 * 0.4 + 0.5 * 0.1)
    assert brier_score(confidence, happened) == pytest.approx((0.01 + 0.81 + 0.01 + 0.01) / 4)
    assert expected_calibration_error(np.array([]), np.array([])) == 0.0


def test_isotonic_calibrator_maps_confidence_to_observed_rates() -> None:
    rng = np.random.default_rng(1)
    confidence = rng.uniform(0, 1, 4000)
    happened = rng.uniform(0, 1, 4000) < confidence**3
    calibrator = fit_calibrator(confidence, happened)
    assert np.all(np.diff(calibrator["y"]) >= 0)
    calibrated = apply_calibration(np.array([0.2, 0.5, 0.9]), calibrator)
    assert calibrated == pytest.approx([0.008, 0.125, 0.729], abs=0.06)
    assert expected_calibration_error(apply_calibration(confidence, calibrator), happened) < 0.02
    assert expected_calibration_error(confidence, happened) > 0.2
    assert apply_calibration(0.7, None) == 0.7


def test_kind_with_enough_outcomes_gets_its_own_the_rest_a_pooled_one() -> None:
    rng = np.random.default_rng(2)
    confidence = rng.uniform(0.5, 1.0, 200)
    disk = outcomes("disk_filling", confidence, rng.uniform(0, 1, 200) < confidence - 0.4)
    memory = outcomes("memory_leak", np.full(20, 0.9), np.arange(20) % 5 == 0)
    link = outcomes("degrading_link", np.full(20, 0.8), np.arange(20) % 4 == 0)
    proposals, skipped = propose_calibrations(
        pl.concat([disk, memory, link]), {}, min_outcomes=30, holdout_fraction=0.3
    )
    by_target = {p.target: p for p in proposals}
    assert set(by_target) == {"disk_filling", "all"}
    assert skipped == {
        "degrading_link": "20 judged outcomes, 30 needed",
        "memory_leak": "20 judged outcomes, 30 needed",
    }
    own = by_target["disk_filling"]
    assert own.applied and own.metric_after < own.metric_before
    assert own.held_out_size == 60 and own.details["trained_on"] == 140
    assert own.details["ece_after"] < own.details["ece_before"]
    assert own.reason.startswith("applied: held-out Brier score")
    assert own.reason.endswith("on 60 outcomes")
    pooled = by_target["all"]
    assert pooled.parameters_after["kinds"] == ["degrading_link", "memory_leak"]
    assert pooled.details["trained_on"] == 28
    calibrators = {"disk_filling": own.parameters_after, "all": pooled.parameters_after}
    assert choose_calibrator(calibrators, "disk_filling") is calibrators["disk_filling"]
    assert choose_calibrator(calibrators, "memory_leak") is calibrators["all"]
    # A kind the pooled calibrator never saw keeps its confidence.
    assert choose_calibrator(calibrators, "job_failures") is None
    assert choose_calibrator({}, "memory_leak") is None


def test_calibrated_confidence_is_not_replaced_by_an_equal_one() -> None:
    rng = np.random.default_rng(3)
    confidence = rng.uniform(0, 1, 300)
    frame = outcomes("disk_filling", confidence, rng.uniform(0, 1, 300) < confidence)
    [proposal], _ = propose_calibrations(frame, {}, min_outcomes=30, holdout_fraction=0.3)
    # Already calibrated: a fitted map does not beat the identity by 1 %.
    assert not proposal.applied
    assert proposal.reason.startswith("not applied:")


def test_a_kind_that_never_comes_true_is_calibrated_to_zero() -> None:
    frame = outcomes("degrading_link", np.linspace(0.6, 0.95, 40), np.zeros(40, dtype=bool))
    [proposal], skipped = propose_calibrations(frame, {}, min_outcomes=30, holdout_fraction=0.3)
    assert skipped == {}
    assert proposal.applied
    assert proposal.metric_after == 0.0
    assert apply_calibration(0.9, proposal.parameters_after) == 0.0
