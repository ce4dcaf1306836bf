"""The probability that a capacity forecast's saturation happens by its date, calibrated.

A forecast's own intervals give a nominal probability: its expected date is where the median
forecast crosses the threshold (one chance in two of a crossing by then), its earliest likely
date where the upper 80 % bound, the 90th percentile, crosses (one chance in ten). Forecast
intervals are often too narrow or too wide for a resource, so outcomes (did the hourly mean
reach the threshold by that date?) calibrate the nominal figure per resource with isotonic
regression, gated on the held-out Brier score like the maintenance calibrators
(`resync.learning.calibration`). The capacity flow stores the result as each at-risk forecast's
`saturation_probability`.
"""

from collections.abc import Mapping
from typing import Any

from resync.learning.calibration import apply_calibration, choose_calibrator

CHANGE_TYPE = "capacity_calibration"
NOMINAL_PROBABILITY = {"expected": 0.5, "likely": 0.1}


def outcome_kind(resource: str) -> str:
    """The kind a capacity outcome of `resource` is stored and calibrated under."""
    return f"{resource}_saturation"


def saturation_probability(
    resource: str, risk: str | None, calibrators: Mapping[str, Mapping[str, Any]]
) -> float | None:
    """The calibrated probability of a crossing by the risk's date (None when not at risk)."""
    if risk is None:
        return None
    calibrator = choose_calibrator(calibrators, outcome_kind(resource))
    return round(float(apply_calibration(NOMINAL_PROBABILITY[risk], calibrator)), 4)
