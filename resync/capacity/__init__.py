"""Capacity: per-series forecasts, saturation dates, sizing, the insight text."""
