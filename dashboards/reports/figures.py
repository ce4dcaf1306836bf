"""Plotly figures of the report: one chart per FTA × resource at risk.

History, the forecast mean with its 80 % and 95 % bands, the saturation threshold and the
expected and earliest saturation dates, in a few restrained colours that survive printing in
grey.
"""

from datetime import datetime

import numpy as np
import plotly.graph_objects as go

from dashboards.reports.data import Forecast

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
HISTORY = "#1f2937"
FORECAST = "#1d4ed8"
BAND_80 = "rgba(29, 78, 216, 0.28)"
BAND_95 = "rgba(29, 78, 216, 0.12)"
THRESHOLD = "#b91c1c"
SATURATION = "#b45309"
UNITS = {"cpu": "%", "memory": "%", "disk": "%", "latency": "ms", "workload": "jobs/h"}
CHART_WIDTH = 1200
CHART_HEIGHT = 300
PERCENT_RANGE = [0, 105]
AXIS = {
    "showgrid": True,
    "gridcolor": "#e5e7eb",
    "showline": True,
    "linecolor": HISTORY,
    "ticks": "outside",
    "tickcolor": HISTORY,
    "zeroline": False,
}


def _band(x: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str, name: str):
    """A closed polygon from the lower bound forward and the upper bound back."""
    return go.Scatter(
        x=np.concatenate([x, x[::-1]]),
        y=np.concatenate([low, high[::-1]]),
        fill="toself",
        fillcolor=colour,
        line={"width": 0},
        hoverinfo="skip",
        name=name,
    )


def _epoch_ms(times: list[datetime]) -> np.ndarray:
    # Numbers on a date axis are epoch milliseconds; numpy arrays travel as compact binary.
    return np.array([t.timestamp() for t in times]) * 1000.0


def _date_marker(when: datetime, text: str, dash: str) -> tuple[dict, dict]:
    shape = {
        "type": "line",
        "xref": "x",
        "yref": "paper",
        "x0": when,
        "x1": when,
        "y0": 0,
        "y1": 1,
        "line": {"color": SATURATION, "width": 1.5, "dash": dash},
    }
    annotation = {
        "x": when,
        "xref": "x",
        "y": 1,
        "yref": "paper",
        "text": text,
        "showarrow": False,
        "xanchor": "right" if dash == "dot" else "left",
        "yanchor": "bottom",
        "font": {"size": 11, "color": SATURATION},
    }
    return shape, annotation


def saturation_figure(forecast: Forecast) -> go.Figure:
    """The chart of one FTA × resource at risk; it needs the forecast's series."""
    if forecast.series is None:
        raise ValueError(f"{forecast.label} has no series to chart")
    history = forecast.series.history
    future = forecast.series.forecast
    x = _epoch_ms([point.t for point in future])
    bounds = {
        name: np.array([getattr(point, name) for point in future], dtype=np.float32)
        for name in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    figure = go.Figure(
        [
            _band(x, bounds["lo95"], bounds["hi95"], BAND_95, "95 % interval"),
            _band(x, bounds["lo80"], bounds["hi80"], BAND_80, "80 % interval"),
            go.Scatter(
                x=_epoch_ms([point.t for point in history]),
                y=np.array([point.v for point in history], dtype=np.float32),
                mode="lines",
                line={"color": HISTORY, "width": 1},
                name="history (hourly)",
            ),
            go.Scatter(
                x=x,
                y=bounds["mean"],
                mode="lines",
                line={"color": FORECAST, "width": 2, "dash": "dash"},
                name="forecast",
            ),
        ]
    )
    shapes, annotations = [], []
    if forecast.threshold is not None:
        shapes.append(
            {
                "type": "line",
                "xref": "paper",
                "x0": 0,
                "x1": 1,
                "y0": forecast.threshold,
                "y1": forecast.threshold,
                "line": {"color": THRESHOLD, "width": 1.5, "dash": "dot"},
            }
        )
        annotations.append(
            {
                "xref": "paper",
                "x": 0,
                "y": forecast.threshold,
                "text": f"threshold {forecast.threshold:g} {UNITS[forecast.resource]}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": THRESHOLD},
            }
        )
    for when, text, dash in (
        (forecast.saturation_date, "expected", "solid"),
        (forecast.saturation_date_earliest, "earliest", "dot"),
    ):
        if when is not None:
            shape, annotation = _date_marker(when, f"{text} {when:%d %b}", dash)
            shapes.append(shape)
            annotations.append(annotation)
    figure.update_layout(
        template="none",
        width=CHART_WIDTH,
        height=CHART_HEIGHT,
        margin={"l": 56, "r": 16, "t": 28, "b": 76},
        font={"family": FONT, "size": 12, "color": HISTORY},
        legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
        hovermode="x unified",
        shapes=shapes,
        annotations=annotations,
        yaxis={
            "title": {"text": UNITS[forecast.resource]},
            **AXIS,
            # A percentage cannot pass 100: the forecast beyond it only means "saturated".
            "range": PERCENT_RANGE if UNITS[forecast.resource] == "%" else None,
        },
        xaxis={"type": "date", **AXIS},
    )
    return figure
