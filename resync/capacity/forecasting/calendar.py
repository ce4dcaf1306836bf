"""The month's turn as a known calendar: peaks of month-end job streams, learned from months of
history and added back to the forecast on the days they recur.

Batch estates run month-end streams (closing, billing, archiving) on the last days of a month
and the first of the next. A 30-day window holds one such peak at most, so the daily and weekly
models see an outlier, not a cycle. Every hour of a longer history gets a calendar day: ordinary,
or its place at the month's turn (the last `MONTH_END_DAYS` days, the first `MONTH_START_DAYS`).
A calendar day's effect, hour by hour, is the median over its past occurrences of how far the
value was from the same hour of the ordinary days of the week before. It is kept when it
recurs: two occurrences or more, all moving the same way, by more than an ordinary day moves
from its week; one is enough when the FTA's job history says more jobs start on that calendar
day than on ordinary ones (a month-end job stream announces its next run).
"""

import warnings
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import timedelta

import numpy as np
import polars as pl

from resync.capacity.forecasting.models import PointForecaster

HOURS_PER_DAY = 24
MONTH_END_DAYS = 2
MONTH_START_DAYS = 1
BASELINE_DAYS = 7
MINIMUM_BASELINE_DAYS = 3
MINIMUM_OCCURRENCES = 2
NOISE_FACTOR = 2.0
JOB_RATIO = 1.5


def calendar_days(times: pl.Series) -> np.ndarray:
    """Per time: 0 for an ordinary day, 1 for the month's last day, 2 the one before, …, then
    `MONTH_END_DAYS + 1` for the first day of a month, and so on."""
    frame = pl.DataFrame({"time": times}).select(
        day=pl.col("time").dt.day(),
        to_end=pl.col("time").dt.month_end().dt.day() - pl.col("time").dt.day(),
    )
    to_end, day = frame["to_end"].to_numpy(), frame["day"].to_numpy()
    codes = np.zeros(to_end.size, dtype=int)
    start = day <= MONTH_START_DAYS
    codes[start] = MONTH_END_DAYS + day[start]
    end = to_end < MONTH_END_DAYS
    codes[end] = 1 + to_end[end]
    return codes


ORDINALS = ("first", "second", "third", "fourth", "fifth")


def calendar_day_name(code: int) -> str:
    """ "last day of the month", "second-last day of the month", "first day of the month", …"""
    if code == 1:
        return "last day of the month"
    if code <= MONTH_END_DAYS:
        return f"{ORDINALS[code - 1]}-last day of the month"
    return f"{ORDINALS[code - MONTH_END_DAYS - 1]} day of the month"


@dataclass(frozen=True)
class MonthCalendar:
    """Hourly effects (24 values) of the calendar days that recur, `occurrences` of each day
    seen, and the days of history they were learned from."""

    effects: dict[int, np.ndarray] = field(default_factory=dict)
    occurrences: dict[int, int] = field(default_factory=dict)
    history_days: float = 0.0

    def document(self) -> dict | None:
        """What a forecast row records: the history read and the days with an effect (None
        when no effect recurred)."""
        if not self.effects:
            return None
        return {
            "history_days": round(self.history_days, 1),
            "days": [calendar_day_name(code) for code in sorted(self.effects)],
        }

    def offsets(self, times: pl.Series) -> np.ndarray:
        """The effect at each time (0 on ordinary days and on days without a kept effect)."""
        codes = calendar_days(times)
        hours = times.dt.hour().to_numpy()
        result = np.zeros(codes.size)
        for code, effect in self.effects.items():
            chosen = codes == code
            result[chosen] = effect[hours[chosen]]
        return result

    def offsets_ahead(self, times: pl.Series, step: timedelta, steps: int) -> np.ndarray:
        """`offsets` at each of `times` and at the `steps` steps of `step` after the last."""
        end = times[-1]
        future = pl.datetime_range(
            end + step, end + step * steps, step, eager=True, time_unit=times.dtype.time_unit
        )
        return self.offsets(pl.concat([times, future]))


def _day_matrix(times: pl.Series, values: np.ndarray) -> tuple[pl.Series, np.ndarray]:
    """Every day from the first to the last (as midnight times) and a days × 24 matrix of their
    hourly values (NaN where absent)."""
    days = times.dt.date().to_numpy().astype("datetime64[D]")
    first = days.min()
    count = int((days.max() - first).astype(int)) + 1
    matrix = np.full((count, HOURS_PER_DAY), np.nan)
    matrix[(days - first).astype(int), times.dt.hour().to_numpy()] = values
    every_day = pl.Series(first + np.arange(count)).cast(pl.Datetime("us"))
    return every_day, matrix


def _deviations(matrix: np.ndarray, codes: np.ndarray) -> dict[int, np.ndarray]:
    """Per calendar day code, each occurrence's hourly distance (a row) from the median of the
    ordinary days of the week before it; days without `MINIMUM_BASELINE_DAYS` such days before
    them are left out."""
    ordinary = np.where((codes == 0)[:, None], matrix, np.nan)
    earlier = np.full((BASELINE_DAYS, *matrix.shape), np.nan)
    for offset in range(1, BASELINE_DAYS + 1):
        earlier[offset - 1, offset:] = ordinary[:-offset]
    measured = np.any(np.isfinite(earlier), axis=2).sum(axis=0) >= MINIMUM_BASELINE_DAYS
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # hours no earlier day has
        baseline = np.nanmedian(earlier, axis=0)
    kept = measured & np.any(np.isfinite(matrix), axis=1)
    deviation = matrix - baseline
    return {int(code): deviation[kept & (codes == code)] for code in np.unique(codes[kept])}


def learn_calendar(
    times: pl.Series, values: np.ndarray, job_days: Collection[int] = ()
) -> MonthCalendar:
    """The recurring month-turn effects of an hourly series; `job_days` are the calendar day
    codes the FTA's job history marks as busier than ordinary days."""
    if times.is_empty():
        return MonthCalendar()
    history_days = (times[-1] - times[0]) / timedelta(days=1) + 1 / HOURS_PER_DAY
    days, matrix = _day_matrix(times, np.asarray(values, dtype=float))
    deviations = _deviations(matrix, calendar_days(days))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a day without a measured hour
        ordinary = np.nanmean(deviations.pop(0, np.empty((0, HOURS_PER_DAY))), axis=1)
        means = {code: np.nanmean(rows, axis=1) for code, rows in deviations.items()}
    ordinary = ordinary[np.isfinite(ordinary)]
    if not ordinary.size:
        return MonthCalendar(history_days=history_days)
    noise = NOISE_FACTOR * float(np.median(np.abs(ordinary)))
    effects, occurrences = {}, {}
    for code, rows in deviations.items():
        found = means[code][np.isfinite(means[code])]
        occurrences[code] = int(found.size)
        needed = 1 if code in job_days else MINIMUM_OCCURRENCES
        same_way = found.size > 0 and (np.all(found > 0) or np.all(found < 0))
        if found.size >= needed and same_way and abs(float(np.median(found))) > noise:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)  # an hour never measured
                effects[code] = np.nan_to_num(np.nanmedian(rows, axis=0))
    return MonthCalendar(effects, occurrences, history_days)


def busy_calendar_days(job_starts: pl.DataFrame) -> set[int]:
    """The calendar day codes on which the median day starts `JOB_RATIO` times the jobs of the
    median ordinary day, from (`hour`, `jobs`) counts of one FTA."""
    if job_starts.is_empty():
        return set()
    daily = job_starts.group_by(pl.col("hour").dt.truncate("1d").alias("day")).agg(
        pl.col("jobs").sum()
    )
    daily = daily.with_columns(pl.Series("code", calendar_days(daily["day"])))
    medians = dict(daily.group_by("code").agg(pl.col("jobs").median()).iter_rows())
    ordinary = medians.pop(0, None)
    if not ordinary:
        return set()
    return {code for code, jobs in medians.items() if jobs >= JOB_RATIO * ordinary}


def with_calendar(
    candidates: dict[str, PointForecaster], offsets: np.ndarray, baseline: str
) -> dict[str, PointForecaster]:
    """Every candidate but `baseline` fitted to the series without the calendar effects, which
    are added back to its forecast; `offsets` covers the history and the horizon from step 0."""

    def adjusted(model: PointForecaster) -> PointForecaster:
        def forecast(history: np.ndarray, horizon: int, season_length: int) -> np.ndarray:
            past = offsets[: history.size]
            future = offsets[history.size : history.size + horizon]
            return model(history - past, horizon, season_length) + future

        return forecast

    return {
        name: model if name == baseline else adjusted(model) for name, model in candidates.items()
    }
