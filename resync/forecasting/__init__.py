"""Capacity forecasting: pure functions on polars frames and numpy arrays (no I/O, no Prefect).

`forecast_resource` is the entry point: 5-minute samples of one FTA resource in, a 90-day
forecast with 80 % and 95 % intervals, its backtest MASE and the saturation outlook out, or an
explicit "too little data". The pieces (resampling, trends, STL, level shifts, backtests,
saturation) are importable on their own for the analysis steps that report them.
"""

from resync.forecasting.analysis import TrendAnalysis, analyze_trend, daily_peaks
from resync.forecasting.capacity import ResourceForecast, forecast_resource
from resync.forecasting.decomposition import Decomposition, decompose
from resync.forecasting.forecaster import Forecast, InsufficientHistory, forecast_series
from resync.forecasting.level_shift import LevelShift, detect_level_shifts
from resync.forecasting.resample import resample_daily_peak, resample_hourly
from resync.forecasting.saturation import SaturationOutlook, saturation_outlook
from resync.forecasting.trend import TrendFit, fit_linear_trend, fit_theil_sen_trend

__all__ = [
    "Decomposition",
    "Forecast",
    "InsufficientHistory",
    "LevelShift",
    "ResourceForecast",
    "SaturationOutlook",
    "TrendAnalysis",
    "TrendFit",
    "analyze_trend",
    "daily_peaks",
    "decompose",
    "detect_level_shifts",
    "fit_linear_trend",
    "fit_theil_sen_trend",
    "forecast_resource",
    "forecast_series",
    "resample_daily_peak",
    "resample_hourly",
    "saturation_outlook",
]
