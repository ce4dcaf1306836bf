"""The insight paragraph of a capacity run: what Claude is asked, and the deterministic writer.

The data given to the analyst is the run's summary: counts, and the series at risk in order-by
order with their P10/P50/P90 dates, probability and sizing. The deterministic analyst states
the same facts in fixed sentences.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from resync.capacity.risk import LIKELY_PROBABILITY, POSSIBLE_PROBABILITY, describe_levels

TASK = (
    "Write the insight paragraph of a weekly capacity-forecast report for TWS operators: which "
    "FTAs run out of which resource first, between which dates (P10 to P90) and how likely, "
    "what to order by when and what it costs, and how many series had too little data. Each "
    f"series at risk has a level ({describe_levels()}); use the words likely and possible "
    "only in that sense. Say nothing about saturation for series that were not forecast. "
    "Plain prose, at most 120 words, no lists."
)
TOP_AT_RISK = 20


class CapacityInsight(BaseModel):
    """The paragraph an operator reads first in the capacity report."""

    paragraph: str = Field(min_length=1, max_length=2000)


def _date(value: Any) -> str:
    return str(value)[:10] if value else "unknown"


def _percent(value: Any) -> str:
    return "" if value is None else f", a {float(value):.0%} chance within the horizon"


def deterministic_insight(data: Mapping[str, Any]) -> CapacityInsight:
    """Fixed sentences from the run summary (`series`, `forecast`, `insufficient`, `likely`,
    `possible`, `horizon_days`, `at_risk` by order-by date then probability); no conclusion
    about saturation when nothing was forecast."""
    horizon = data["horizon_days"]
    if not data["forecast"]:
        return CapacityInsight(
            paragraph=(
                f"Nothing was forecast: {data['insufficient']} of {data['series']} series of "
                f"{data['workstations']} FTAs had too little history, so this run says nothing "
                "about saturation."
            )
        )
    sentences = [
        f"{data['forecast']} of {data['series']} series of {data['workstations']} FTAs were "
        f"forecast {horizon} days ahead; {data['likely']} are likely to saturate within the "
        f"horizon (a chance of {LIKELY_PROBABILITY:.0%} or more) and {data['possible']} more "
        f"possibly ({POSSIBLE_PROBABILITY:.0%} to {LIKELY_PROBABILITY:.0%}: watched, nothing "
        "proposed to buy)."
    ]
    for item in data["at_risk"][:3]:
        name = f"{item['workstation']} {item['resource']} ({item['risk']})"
        if item.get("order_by_date"):
            sentence = f"{name}: order by {_date(item['order_by_date'])}"
        else:
            sentence = f"{name}: no order date yet"
        earliest = _date(item.get("saturation_date_earliest"))
        latest = _date(item.get("saturation_date_latest"))
        sentence += f"; crossing between {earliest} (P10) and {latest} (P90)"
        sentence += _percent(item.get("crossing_probability"))
        cost = item.get("monthly_cost")
        if cost is not None:
            sentence += f"; adding {item['amount']} {item['unit']} costs {cost} {item['currency']}"
            sentence += " a month"
        elif item.get("action") == "investigate":
            sentence += "; a steady climb like a leak: investigate and restart before buying"
        elif item.get("action") == "watch":
            sentence += "; a watch item"
        sentences.append(sentence + ".")
    if data["insufficient"]:
        sentences.append(
            f"{data['insufficient']} series had too little history to forecast and are listed "
            "as insufficient data."
        )
    if not data["likely"] and not data["possible"]:
        sentences.append(
            "No forecast FTA resource is likely or possibly saturating within the horizon "
            f"(a chance of {POSSIBLE_PROBABILITY:.0%} or more)."
        )
    return CapacityInsight(paragraph=" ".join(sentences))
