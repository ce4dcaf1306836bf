"""Preferring, per FTA × resource, the forecast model that backtests best on that series.

The forecaster keeps Theta unless a challenger's backtest MASE beats it by a clear margin (a
sound default over many series). One FTA's series can have its own character, so the model
with the best backtest on the older part of its history is proposed as its preference, and
both choices forecast the held-out last days: the preference is applied only when its held-out
MASE is lower.
"""

from collections.abc import Mapping
from typing import Any

import numpy as np

from resync.capacity.forecasting.backtest import mase
from resync.capacity.forecasting.forecaster import forecast_values
from resync.learning.changes import Proposal, improves, verdict

MIN_IMPROVEMENT = 0.05


def propose_model_preference(
    values: np.ndarray,
    target: str,
    current: Mapping[str, Any] | None,
    *,
    held_out_days: int,
    season_length: int = 24,
) -> Proposal | str:
    """A model preference for one hourly series, or the reason there is none."""
    held = held_out_days * season_length
    if values.size < held + 5 * season_length:
        return f"{values.size / season_length:.1f} days of history, {held_out_days + 5} needed"
    train, actual = values[:-held], values[-held:]
    preferred = current["model"] if current else None
    in_force = forecast_values(train, held, season_length, preferred_model=preferred)
    scores = in_force.scores
    best_model = min(scores, key=lambda name: scores[name])
    if scores[best_model] >= scores[in_force.model]:
        return f"{in_force.model}, in use, backtests as well as any other model"
    best = forecast_values(train, held, season_length, preferred_model=best_model)
    before = mase(actual, in_force.point, train, season_length)
    after = mase(actual, best.point, train, season_length)
    applied = improves(before, after, higher_is_better=False, tolerance=MIN_IMPROVEMENT)
    return Proposal(
        change_type="forecast_model",
        target=target,
        parameters_before={"model": in_force.model},
        parameters_after={"model": best_model},
        metric="mase",
        metric_before=round(before, 4),
        metric_after=round(after, 4),
        held_out_size=held,
        applied=applied,
        reason=verdict("MASE", before, after, applied, f"the last {held} hours"),
        details={"backtest_mase": {k: round(v, 4) for k, v in in_force.scores.items()}},
    )
