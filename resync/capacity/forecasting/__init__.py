"""Capacity forecasting: pure functions on polars frames and numpy arrays (no I/O, no Prefect).

`forecast_resource` is the entry point: 5-minute samples of one FTA resource in, a 90-day
forecast with 80 % and 95 % intervals, its backtest MASE and the saturation outlook out, or an
explicit "too little data". The pieces (resampling, trends, STL, level shifts, backtests,
saturation) are importable on their own for the analysis steps that report them.
"""
