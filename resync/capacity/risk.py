"""Risk levels of a saturation forecast, decided here and only here from its probability.

The levels use the calibrated likelihood language of the IPCC (Mastrandrea et al. 2010, the
guidance note for the Fifth Assessment Report's lead authors: likely 66-100 %, about as likely
as not 33-66 %, unlikely 0-33 %, very unlikely 0-10 %). A capacity planner reads them as:
`likely` when a crossing within the horizon has a chance of at least `LIKELY_PROBABILITY` (66 %,
the scale's "likely"; the P50 crossing date falls within the horizon): capacity is proposed for
it; `possible` from `POSSIBLE_PROBABILITY` (10 %, above "very unlikely"; the P10 date falls
within the horizon) to under 66 %, as likely as not or less: a watch item, nothing is bought for
it; no level below that. The capacity flow stores the level with each forecast
(`capacity_forecasts.risk`); sizing, the API, the report and the artifacts read it.
"""

from typing import Literal

RiskLevel = Literal["likely", "possible"]
LIKELY_PROBABILITY = 0.66
POSSIBLE_PROBABILITY = 0.1


def risk_level(crossing_probability: float | None) -> RiskLevel | None:
    """The level of a forecast whose paths cross within the horizon with this probability."""
    if crossing_probability is None or crossing_probability < POSSIBLE_PROBABILITY:
        return None
    return "likely" if crossing_probability >= LIKELY_PROBABILITY else "possible"


def describe_levels() -> str:
    """The levels in one sentence, for the report and the analyst."""
    return (
        f"likely: a crossing within the horizon has a chance of {LIKELY_PROBABILITY:.0%} or "
        "more (likely on the IPCC scale; the P50 date within it), capacity is proposed; "
        "possible: a "
        f"chance of {POSSIBLE_PROBABILITY:.0%} to {LIKELY_PROBABILITY:.0%} (as likely as not or "
        "less; the P10 date within it), a watch item, nothing is bought"
    )
