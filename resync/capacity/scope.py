"""What a capacity run covers: the estate, or part of it; its title; requests it cannot honour.

An "estate" run forecasts every FTA and resource over at least the standard history window;
it alone may stand for the estate (the API's latest forecasts, the daily report). Any narrower
run is "partial": kept and readable by its id, never promoted. A request that could only
produce an empty or misleading run (an FTA without samples, a window shorter than a forecast
needs) is refused before the run starts.
"""

from collections.abc import Sequence
from datetime import datetime

from resync.capacity.resources import RESOURCES
from resync.settings import Settings

NAMED_FTAS = 4


class ImpossibleForecastRequest(ValueError):
    """A capacity-run request that cannot be forecast as asked."""


def run_scope(
    workstation_filter: Sequence[str] | None,
    resources: Sequence[str],
    history_days: int,
    settings: Settings,
) -> str:
    """ "estate" for every FTA and resource over the standard window or more, else "partial"."""
    every_resource = set(resources) >= set(RESOURCES)
    standard = history_days >= settings.forecast_history_days
    return "estate" if not workstation_filter and every_resource and standard else "partial"


def refuse_impossible_request(
    workstation_filter: Sequence[str] | None,
    found: Sequence[str],
    history_days: int,
    settings: Settings,
) -> None:
    """Raise `ImpossibleForecastRequest` naming what is wrong and what to ask instead."""
    if history_days < settings.forecast_min_history_days:
        raise ImpossibleForecastRequest(
            f"history_days={history_days} is below the {settings.forecast_min_history_days:g} "
            "days a forecast needs (forecast_min_history_days); ask for at least that many"
        )
    unknown = sorted(set(workstation_filter or ()) - set(found))
    if unknown:
        raise ImpossibleForecastRequest(
            f"no samples in the last {history_days} days for {', '.join(unknown)}: "
            "name FTAs that report metrics (GET /api/v1/workstations lists them)"
        )
    if not found:
        raise ImpossibleForecastRequest(
            f"no FTA has samples in the last {history_days} days: nothing to forecast"
        )


def describe_scope(
    scope: str,
    workstation_filter: Sequence[str] | None,
    resources: Sequence[str] | None,
    history_days: int,
) -> str:
    """ "estate", or what a partial run covered: its FTAs, resources and window."""
    if scope == "estate":
        return "estate"
    if not workstation_filter:
        parts = ["all FTAs"]
    elif len(workstation_filter) <= NAMED_FTAS:
        parts = [", ".join(workstation_filter)]
    else:
        parts = [f"{len(workstation_filter)} FTAs"]
    if resources and set(resources) < set(RESOURCES):
        parts.append(", ".join(resources))
    parts.append(f"{history_days}-day history")
    return "partial: " + "; ".join(parts)


def report_title(started_at: datetime, run_id: object, scope_text: str) -> str:
    """A capacity report's title: its date, what it covers and the run it shows."""
    return f"Capacity report {started_at:%Y-%m-%d} · {scope_text} · run {str(run_id)[:8]}"
