"""Per-series forecast model preference, scored on the held-out last days."""

import numpy as np

from resync.capacity.forecasting.forecaster import forecast_values
from resync.learning.model_preference import propose_model_preference

HOURS = np.arange(24 * 30)


def trending(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return 40 + 0.08 * HOURS + 8 * np.sin(2 * np.pi * HOURS / 24) + rng.normal(0, 0.5, HOURS.size)


def test_a_preference_that_forecasts_worse_is_replaced_by_the_best_backtest() -> None:
    # Seasonal-naive in force on a growing series: it cannot follow the trend.
    proposal = propose_model_preference(
        trending(), "WS1/disk", {"model": "seasonal_naive"}, held_out_days=7
    )
    assert proposal.parameters_before == {"model": "seasonal_naive"}
    assert proposal.parameters_after["model"] != "seasonal_naive"
    assert proposal.metric == "mase" and proposal.held_out_size == 7 * 24
    assert proposal.metric_after < 0.95 * proposal.metric_before
    assert proposal.applied
    best = min(proposal.details["backtest_mase"], key=proposal.details["backtest_mase"].get)
    assert proposal.parameters_after["model"] == best


def test_the_forecaster_honours_the_preferred_model() -> None:
    values = trending(1)
    assert forecast_values(values, 24, 24, preferred_model="seasonal_naive").model == (
        "seasonal_naive"
    )
    # An unknown name (a model since removed) leaves the choice by margin.
    default = forecast_values(values, 24, 24).model
    assert forecast_values(values, 24, 24, preferred_model="prophet").model == default


def test_too_short_a_series_is_not_judged() -> None:
    found = propose_model_preference(trending()[: 24 * 10], "WS1/cpu", None, held_out_days=7)
    assert found == "10.0 days of history, 12 needed"


def test_no_preference_when_the_model_in_use_backtests_as_well() -> None:
    # A flat series after a cleanup: every model backtests perfectly, nothing to prefer.
    values = np.concatenate([np.full(24 * 12, 80.0), np.full(24 * 9, 20.0)])
    found = propose_model_preference(values, "WS1/disk", None, held_out_days=7)
    assert found == "theta, in use, backtests as well as any other model"
