"""Risk levels of a saturation forecast, decided here and only here from its probability.

A capacity planner reads them as: `likely` when a crossing within the horizon is more probable
than not (a probability of at least `LIKELY_PROBABILITY`, so the P50 crossing date falls within
the horizon): capacity is proposed for it; `possible` when the chance is at least
`POSSIBLE_PROBABILITY` (the P10 date falls within the horizon) but under one in two: a watch
item, nothing is bought for it; no level below that. The capacity flow stores the level with
each forecast (`capacity_forecasts.risk`); sizing, the API, the report and the artifacts read it.
"""

from typing import Literal

RiskLevel = Literal["likely", "possible"]
LIKELY_PROBABILITY = 0.5
POSSIBLE_PROBABILITY = 0.1


def risk_level(crossing_probability: float | None) -> RiskLevel | None:
    """The level of a forecast whose paths cross within the horizon with this probability."""
    if crossing_probability is None or crossing_probability < POSSIBLE_PROBABILITY:
        return None
    return "likely" if crossing_probability >= LIKELY_PROBABILITY else "possible"


def describe_levels() -> str:
    """The levels in one sentence, for the report and the analyst."""
    return (
        f"likely: a crossing within the horizon is more probable than not (a chance of "
        f"{LIKELY_PROBABILITY:.0%} or more, the P50 date within it), capacity is proposed; "
        f"possible: a chance of {POSSIBLE_PROBABILITY:.0%} to {LIKELY_PROBABILITY:.0%} (the P10 "
        "date within it), a watch item, nothing is bought"
    )
