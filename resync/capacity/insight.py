"""The insight paragraph of a capacity run: what Claude is asked, and the deterministic writer.

The data given to the analyst is the run's summary: counts, and the series at risk soonest
with their dates and sizing. The deterministic analyst states the same facts in fixed sentences.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

TASK = (
    "Write the insight paragraph of a weekly capacity-forecast report for TWS operators: which "
    "FTAs run out of which resource first, when, what to order by when and what it costs, and "
    "how many series had too little data. Plain prose, at most 120 words, no lists."
)
TOP_AT_RISK = 20


class CapacityInsight(BaseModel):
    """The paragraph an operator reads first in the capacity report."""

    paragraph: str = Field(min_length=1, max_length=2000)


def _date(value: Any) -> str:
    return str(value)[:10] if value else "unknown"


def deterministic_insight(data: Mapping[str, Any]) -> CapacityInsight:
    """Fixed sentences from the run summary (`series`, `insufficient`, `expected`, `likely`,
    `horizon_days`, `at_risk` soonest first)."""
    horizon = data["horizon_days"]
    sentences = [
        f"{data['series']} series of {data['workstations']} FTAs were forecast {horizon} days "
        f"ahead; {data['expected']} are expected to saturate within the horizon and "
        f"{data['likely']} more may (upper 80 % bound)."
    ]
    for item in data["at_risk"][:3]:
        name = f"{item['workstation']} {item['resource']}"
        if item["saturation_date"]:
            sentence = f"{name} saturates on {_date(item['saturation_date'])}"
        else:
            sentence = f"{name} may saturate from {_date(item.get('saturation_date_earliest'))}"
        if item.get("order_by_date"):
            sentence += f" (order by {_date(item['order_by_date'])})"
        cost = item.get("monthly_cost")
        if cost is not None:
            sentence += f"; adding {item['amount']} {item['unit']} costs {cost} {item['currency']}"
            sentence += " a month"
        sentences.append(sentence + ".")
    if data["insufficient"]:
        sentences.append(
            f"{data['insufficient']} series had too little history to forecast and are listed "
            "as insufficient data."
        )
    if not data["expected"] and not data["likely"]:
        sentences.append("No FTA is expected to run out of CPU, memory or disk in the horizon.")
    return CapacityInsight(paragraph=" ".join(sentences))
