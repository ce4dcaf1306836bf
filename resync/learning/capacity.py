"""The probability that a capacity forecast's saturation happens by its date, calibrated.

A forecast's own distribution gives a nominal probability: a likely saturation is judged by its
P50 crossing date (one chance in two of a crossing by then), a possible one by its P10 date (one
chance in ten; `resync.capacity.risk`). Forecast
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
NOMINAL_PROBABILITY = {"likely": 0.5, "possible": 0.1}


def outcome_kind(resource: str) -> str:
    """The kind a capacity outcome of `resource` is stored and calibrated under."""
    return f"{resource}_saturation"


def saturation_probability(
    resource: str, risk: str | None, calibrators: Mapping[str, Mapping[str, Any]]
) -> float | None:
    """The calibrated probability of a crossing by the date the risk level is judged by (the
    P50 date for likely, the P10 date for possible; None without a level)."""
    if risk is None:
        return None
    calibrator = choose_calibrator(calibrators, outcome_kind(resource))
    return round(float(apply_calibration(NOMINAL_PROBABILITY[risk], calibrator)), 4)
