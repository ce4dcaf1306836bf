"""What a report is made of: the capacity run, its forecasts and the open alerts, as plain data.

The models mirror the `capacity_forecast_runs`, `capacity_forecasts` and `alerts` rows, so the
rendering needs no database and the tests and benchmark build them directly.
"""

import uuid
from datetime import datetime
from statistics import median
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict

from resync.capacity.resources import Resource
from resync.capacity.risk import RiskLevel

RESOURCE_LABELS: dict[str, str] = {
    "cpu": "CPU",
    "memory": "Memory",
    "disk": "Disk",
    "latency": "Latency",
    "workload": "Workload",
}


class HistoryPoint(BaseModel):
    t: AwareDatetime
    v: float


class ForecastPoint(BaseModel):
    t: AwareDatetime
    mean: float
    lo80: float
    hi80: float
    lo95: float
    hi95: float


class Series(BaseModel):
    """History and forecast at the same step (daily peaks or levels; quarter days for a
    provisional estimate): the median simulated path with its 80 % and 95 % bands."""

    history: list[HistoryPoint]
    forecast: list[ForecastPoint]


class Recommendation(BaseModel):
    """What to add to stay under the threshold over the horizon, and what it costs a month.

    `action` is "add" (a likely saturation, with amount, unit and cost), "watch" (a possible
    one: nothing proposed), "investigate" (a leak) or "none" (with the reason no size is given).
    """

    model_config = ConfigDict(extra="allow")

    action: str
    amount: float | None = None
    unit: str | None = None
    current_capacity: float | None = None
    recommended_capacity: float | None = None
    monthly_cost: float | None = None
    currency: str | None = None
    cost_source: str | None = None
    reason: str | None = None


class Forecast(BaseModel):
    """One FTA × resource of a capacity run (a `capacity_forecasts` row)."""

    model_config = ConfigDict(from_attributes=True)

    workstation: str
    resource: Resource
    status: Literal["forecast", "provisional", "insufficient_data"]
    threshold: float | None = None
    current_value: float | None = None
    trend_per_day: float | None = None
    r_squared: float | None = None
    model: str | None = None
    mase: float | None = None
    naive_mase: float | None = None
    band_coverage: float | None = None
    unreliable_reason: str | None = None
    saturation_date: AwareDatetime | None = None
    saturation_date_earliest: AwareDatetime | None = None
    saturation_date_latest: AwareDatetime | None = None
    crossing_probability: float | None = None
    risk: RiskLevel | None = None
    """likely or possible (`resync.capacity.risk`), None when neither."""
    order_by_date: AwareDatetime | None = None
    days_to_saturation: float | None = None
    history_days: float | None = None
    full_forecast_at: AwareDatetime | None = None
    recommendation: Recommendation | None = None
    series: Series | None = None
    calendar: dict[str, Any] | None = None
    """The month-end effects the forecast added: `days` with an effect, learned from
    `history_days` of history (None: none recurred)."""

    @property
    def at_risk(self) -> bool:
        """Saturation likely or possible within the horizon."""
        return self.risk is not None

    @property
    def label(self) -> str:
        return f"{self.workstation} · {RESOURCE_LABELS[self.resource]}"


class CapacityRun(BaseModel):
    """The facts of the capacity-forecast run the report is about."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    started_at: AwareDatetime
    finished_at: AwareDatetime | None
    history_days: int
    horizon_days: int
    workstation_count: int
    scope: str = "estate"
    analyst: str
    insight: str
    analyst_note: str | None = None


class OpenAlert(BaseModel):
    """An open row of the `alerts` table."""

    model_config = ConfigDict(from_attributes=True)

    workstation: str
    rule: str
    severity: str
    message: str
    value: float | None = None
    opened_at: AwareDatetime
    last_seen_at: AwareDatetime


SEVERITY_ORDER = {"critical": 0, "warning": 1, "info": 2}


class ReportData(BaseModel):
    """Everything one report shows; `run` is None for an estate report without forecasts."""

    kind: Literal["capacity", "estate"]
    title: str
    scope: str | None = None
    """What the capacity run covered: "estate", or "partial: …" naming its FTAs and window."""
    generated_at: datetime
    run: CapacityRun | None = None
    forecasts: list[Forecast] = []
    alerts: list[OpenAlert] = []

    def estate_table(self) -> list[Forecast]:
        """Every forecast and provisional estimate in the order of every at-risk list: by
        order-by date, then probability of a crossing, then P10 date; those without one
        last."""
        forecasts = [row for row in self.forecasts if row.status != "insufficient_data"]
        return sorted(
            forecasts,
            key=lambda row: (
                row.order_by_date is None,
                row.order_by_date or self.generated_at,
                -(row.crossing_probability or 0.0),
                row.saturation_date_earliest is None,
                row.saturation_date_earliest or self.generated_at,
                row.workstation,
                row.resource,
            ),
        )

    def at_risk(self) -> list[Forecast]:
        """The forecasts with saturation likely or possible in the horizon, in table order."""
        return [row for row in self.estate_table() if row.at_risk]

    def insufficient_data(self) -> list[Forecast]:
        rows = [row for row in self.forecasts if row.status == "insufficient_data"]
        return sorted(rows, key=lambda row: (row.workstation, row.resource))

    def sorted_alerts(self) -> list[OpenAlert]:
        return sorted(
            self.alerts,
            key=lambda a: (SEVERITY_ORDER.get(a.severity, 9), a.opened_at, a.workstation),
        )

    def unreliable(self) -> list[Forecast]:
        """The forecasts worse than their naive baseline, in table order."""
        return [row for row in self.estate_table() if row.unreliable_reason]

    def monthly_cost(self) -> dict[str, Any]:
        """The proposed monthly cost and its currency, with the likely saturations it sizes
        (`sized`) and the possible ones watched, for which nothing is proposed (`watched`)."""
        total, sized, currency = 0.0, 0, None
        for row in self.at_risk():
            advice = row.recommendation
            if advice is not None and advice.monthly_cost is not None:
                total += advice.monthly_cost
                sized += 1
                currency = advice.currency
        watched = sum(row.risk == "possible" for row in self.forecasts)
        return {"total": round(total, 2), "sized": sized, "watched": watched, "currency": currency}

    def accuracy(self) -> list[dict[str, Any]]:
        """Per resource: series forecast, median backtest MASE of the models and of seasonal
        naive, how often the truth fell inside the P10-P90 band in backtests (pooled over the
        series, with how many were backtested), and how many were unreliable, provisional or
        had too little data."""
        lines = []
        for resource in RESOURCE_LABELS:
            rows = [row for row in self.forecasts if row.resource == resource]
            if not rows:
                continue
            fitted = [row for row in rows if row.mase is not None]
            naive = [row.naive_mase for row in fitted if row.naive_mase is not None]
            covered = [row.band_coverage for row in rows if row.band_coverage is not None]
            lines.append(
                {
                    "resource": resource,
                    "forecast": len(fitted),
                    "mase": median(row.mase for row in fitted) if fitted else None,
                    "naive_mase": median(naive) if naive else None,
                    "coverage": sum(covered) / len(covered) if covered else None,
                    "backtested": len(covered),
                    "unreliable": sum(row.unreliable_reason is not None for row in rows),
                    "provisional": sum(row.status == "provisional" for row in rows),
                    "insufficient": sum(row.status == "insufficient_data" for row in rows),
                }
            )
        return lines

    def month_calendars(self) -> list[Forecast]:
        """The forecasts that added month-end effects learned from a longer history, in table
        order."""
        return [row for row in self.estate_table() if row.calendar]

    def summary(self) -> dict[str, Any]:
        """The counts stored with the report and shown in its Prefect artifacts."""
        at_risk = self.at_risk()
        return {
            "kind": self.kind,
            "scope": self.scope,
            "capacity_run_id": str(self.run.id) if self.run else None,
            "analyst": self.run.analyst if self.run else None,
            "forecasts": sum(row.status == "forecast" for row in self.forecasts),
            "provisional": sum(row.status == "provisional" for row in self.forecasts),
            "unreliable": len(self.unreliable()),
            "monthly_cost": self.monthly_cost(),
            "at_risk": len(at_risk),
            "likely_saturations": sum(row.risk == "likely" for row in at_risk),
            "possible_saturations": sum(row.risk == "possible" for row in at_risk),
            "insufficient_data": len(self.insufficient_data()),
            "open_alerts": len(self.alerts),
            "workstations_at_risk": len({row.workstation for row in at_risk}),
        }
