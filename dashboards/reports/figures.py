"""Plotly figures of the report, as plotly.js figure dictionaries.

One chart per FTA × resource at risk: history and forecast at the same step (daily peaks or
levels), the median simulated path with its 80 % and 95 % bands up to where it reaches 100 %,
the saturation threshold, today, the P10/P50 crossing dates and the order-by date, in a few
restrained colours that survive printing in grey. On screen each chart is its own figure; on
paper charts are drawn `CHARTS_PER_SHEET` to an image (a printed page), each under its caption,
so kaleido loads its page once per sheet instead of once per chart. The dictionaries are built
directly (arrays as plotly.js typed-array specs) instead of through `plotly.graph_objects`, whose
validation cost more than everything else in the HTML.
"""

import base64
import html
from datetime import datetime
from typing import Any

import numpy as np

from dashboards.reports.data import RESOURCE_LABELS, Forecast

Figure = dict[str, Any]

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
HISTORY = "#1f2937"
MUTED = "#6b7280"
FORECAST = "#1d4ed8"
BAND_80 = "rgba(29, 78, 216, 0.28)"
BAND_95 = "rgba(29, 78, 216, 0.12)"
THRESHOLD = "#b91c1c"
SATURATION = "#b45309"
UNITS = {"cpu": "%", "memory": "%", "disk": "%", "latency": "ms", "workload": "jobs/h"}
CHART_HEIGHT = 300
PERCENT_RANGE = [0, 105]
FULL_PERCENT = 100.0
AXIS = {
    "showgrid": True,
    "gridcolor": "#e5e7eb",
    "showline": True,
    "linecolor": HISTORY,
    "ticks": "outside",
    "tickcolor": HISTORY,
    "zeroline": False,
}
# A sheet of 3 rows and the legend fills an A4 landscape page below a heading (273 × 168 mm):
# a row is the caption and the date labels, the plot, then the date ticks.
CHARTS_PER_SHEET = 3
SHEET_WIDTH = 1300
SHEET_ROW = 256
SHEET_CAPTION = 60
SHEET_TICKS = 48
SHEET_LEGEND = 30
SHEET_LEFT = 56


def _typed(values: np.ndarray) -> dict[str, str]:
    """A numpy array as a plotly.js typed-array spec (compact binary instead of text)."""
    dtype = {np.dtype("float32"): "f4", np.dtype("float64"): "f8"}[values.dtype]
    return {"dtype": dtype, "bdata": base64.b64encode(values.tobytes()).decode()}


def _epoch_ms(when: datetime) -> float:
    # Numbers on a date axis are epoch milliseconds, for the traces and the markers alike.
    return when.timestamp() * 1000.0


def _band(x: np.ndarray, low: np.ndarray, high: np.ndarray, colour: str, name: str) -> dict:
    """A closed polygon from the lower bound forward and the upper bound back."""
    return {
        "type": "scatter",
        "x": _typed(np.concatenate([x, x[::-1]])),
        "y": _typed(np.concatenate([low, high[::-1]])),
        "fill": "toself",
        "fillcolor": colour,
        "line": {"width": 0},
        "hoverinfo": "skip",
        "name": name,
    }


def _until_full(points: list) -> list:
    """The forecast up to the first step whose median path is at 100 % (saturated: what comes
    after says nothing more)."""
    for index, point in enumerate(points):
        if point.mean >= FULL_PERCENT:
            return points[: index + 1]
    return points


def _traces(forecast: Forecast) -> list[dict]:
    if forecast.series is None:
        raise ValueError(f"{forecast.label} has no series to chart")
    future = forecast.series.forecast
    if UNITS[forecast.resource] == "%":
        future = _until_full(future)
    x = np.array([_epoch_ms(point.t) for point in future])
    bounds = {
        name: np.array([getattr(point, name) for point in future], dtype=np.float32)
        for name in ("mean", "lo80", "hi80", "lo95", "hi95")
    }
    history = forecast.series.history
    return [
        _band(x, bounds["lo95"], bounds["hi95"], BAND_95, "95 % interval"),
        _band(x, bounds["lo80"], bounds["hi80"], BAND_80, "80 % interval"),
        {
            "type": "scatter",
            "x": _typed(np.array([_epoch_ms(point.t) for point in history])),
            "y": _typed(np.array([point.v for point in history], dtype=np.float32)),
            "mode": "lines",
            "line": {"color": HISTORY, "width": 1},
            "name": "history",
        },
        {
            "type": "scatter",
            "x": _typed(x),
            "y": _typed(bounds["mean"]),
            "mode": "lines",
            "line": {"color": FORECAST, "width": 2, "dash": "dash"},
            "name": "forecast (median path)",
        },
    ]


def _markers(forecast: Forecast, axis: str) -> tuple[list[dict], list[dict]]:
    """The threshold line and the saturation dates on the axes `x{axis}` and `y{axis}`."""
    x, y = f"x{axis}", f"y{axis}"
    shapes, annotations = [], []
    if forecast.threshold is not None:
        level = {"y0": forecast.threshold, "y1": forecast.threshold, "yref": y}
        shapes.append(
            {"type": "line", "xref": f"{x} domain", "x0": 0, "x1": 1, **level}
            | {"line": {"color": THRESHOLD, "width": 1.5, "dash": "dot"}}
        )
        annotations.append(
            {
                "xref": f"{x} domain",
                "x": 0,
                "yref": y,
                "y": forecast.threshold,
                "text": f"threshold {forecast.threshold:g} {UNITS[forecast.resource]}",
                "showarrow": False,
                "xanchor": "left",
                "yanchor": "bottom",
                "font": {"size": 11, "color": THRESHOLD},
            }
        )
    today = forecast.series.history[-1].t if forecast.series and forecast.series.history else None
    for when, text, dash, colour in (
        (today, "today", "solid", MUTED),
        (forecast.order_by_date, "order by", "dashdot", THRESHOLD),
        (forecast.saturation_date_earliest, "P10", "dot", SATURATION),
        (forecast.saturation_date, "P50", "solid", SATURATION),
    ):
        if when is None:
            continue
        at = _epoch_ms(when)
        shapes.append(
            {"type": "line", "xref": x, "x0": at, "x1": at, "yref": f"{y} domain", "y0": 0}
            | {"y1": 1, "line": {"color": colour, "width": 1.5, "dash": dash}}
        )
        annotations.append(
            {
                "xref": x,
                "x": at,
                "yref": f"{y} domain",
                # Below the others: an order-by date a few days before today (overdue) put its
                # label on today's.
                "y": 0.86 if text == "order by" else 1,
                "text": f"{text} {when:%d %b}",
                "showarrow": False,
                "xanchor": "right" if text in ("P10", "today") else "left",
                "yanchor": "bottom" if text in ("P10", "P50") else "top",
                "font": {"size": 11, "color": colour},
            }
        )
    return shapes, annotations


def _y_axis(forecast: Forecast) -> dict:
    unit = UNITS[forecast.resource]
    axis = {"title": {"text": unit}, **AXIS}
    # A percentage cannot pass 100: the forecast beyond it only means "saturated".
    return axis | {"range": PERCENT_RANGE, "dtick": 20} if unit == "%" else axis


def caption(forecast: Forecast, horizon_days: int) -> str:
    """The line under a chart's title: its crossing dates, probability and risk level, the
    order-by date,
    the model and its MASE beside naive's, and whether it is provisional or unreliable."""

    def day(value: datetime | None) -> str:
        return "—" if value is None else f"{value:%Y-%m-%d}"

    probability = forecast.crossing_probability or 0.0
    dates = (
        f"P10 {day(forecast.saturation_date_earliest)} · P50 {day(forecast.saturation_date)} · "
        f"P90 {day(forecast.saturation_date_latest)} · {probability:.0%} within {horizon_days} d"
    )
    if forecast.risk is not None:
        dates += f" ({forecast.risk})"
    if forecast.order_by_date is not None:
        dates += f" · order by {day(forecast.order_by_date)}"
    if forecast.status == "provisional":
        return dates + f" · PROVISIONAL: {forecast.history_days or 0:.1f} days of history"
    mase = "—" if forecast.mase is None else f"{forecast.mase:.2f}"
    naive = "—" if forecast.naive_mase is None else f"{forecast.naive_mase:.2f}"
    details = f"{dates} · {forecast.model or 'model —'} MASE {mase} (naive {naive})"
    return details + (" · UNRELIABLE" if forecast.unreliable_reason else "")


def saturation_figure(forecast: Forecast) -> Figure:
    """The on-screen chart of one FTA × resource at risk; it needs the forecast's series."""
    shapes, annotations = _markers(forecast, "")
    return {
        "data": _traces(forecast),
        "layout": dict(
            font={"family": FONT, "size": 12, "color": HISTORY},
            height=CHART_HEIGHT,
            margin={"l": SHEET_LEFT, "r": 16, "t": 28, "b": 76},
            legend={"orientation": "h", "x": 0, "y": -0.22, "yanchor": "top"},
            hovermode="x unified",
            shapes=shapes,
            annotations=annotations,
            xaxis={"type": "date", **AXIS},
            yaxis=_y_axis(forecast),
        ),
    }


def chart_sheets(forecasts: list[Forecast]) -> list[list[Forecast]]:
    """The charted forecasts in report order, `CHARTS_PER_SHEET` to a printed sheet."""
    return [
        forecasts[start : start + CHARTS_PER_SHEET]
        for start in range(0, len(forecasts), CHARTS_PER_SHEET)
    ]


def chart_sheet(forecasts: list[Forecast], horizon_days: int) -> Figure:
    """Up to `CHARTS_PER_SHEET` charts stacked, each under its caption, one legend below."""
    rows = len(forecasts)
    height = rows * SHEET_ROW
    data, shapes, annotations, axes = [], [], [], {}
    for row, forecast in enumerate(forecasts):
        axis = "" if row == 0 else str(row + 1)
        top = (height - row * SHEET_ROW - SHEET_CAPTION) / height
        bottom = (height - (row + 1) * SHEET_ROW + SHEET_TICKS) / height
        for trace in _traces(forecast):
            data.append(trace | {"xaxis": f"x{axis}", "yaxis": f"y{axis}", "showlegend": row == 0})
        row_shapes, row_annotations = _markers(forecast, axis)
        shapes += row_shapes
        resource = RESOURCE_LABELS[forecast.resource]
        annotations += row_annotations + [
            {
                "xref": "paper",
                "x": 0,
                "xshift": -SHEET_LEFT,
                "yref": "paper",
                "y": (height - row * SHEET_ROW) / height,
                "text": (
                    f"<b>{html.escape(forecast.workstation)}</b> "
                    f"<span style='color:{MUTED}'>{resource}</span><br>"
                    f"<span style='font-size:12px;color:{MUTED}'>"
                    f"{html.escape(caption(forecast, horizon_days))}</span>"
                ),
                "showarrow": False,
                "align": "left",
                "xanchor": "left",
                "yanchor": "top",
                "font": {"size": 14, "color": HISTORY},
            }
        ]
        axes[f"xaxis{axis}"] = {"type": "date", "anchor": f"y{axis}", **AXIS}
        axes[f"yaxis{axis}"] = _y_axis(forecast) | {"domain": [bottom, top]}
    return {
        "data": data,
        "layout": dict(
            font={"family": FONT, "size": 12, "color": HISTORY},
            width=SHEET_WIDTH,
            height=height + SHEET_LEGEND,
            margin={"l": SHEET_LEFT, "r": 16, "t": 0, "b": SHEET_LEGEND},
            legend={"orientation": "h", "x": 0, "y": 0, "yanchor": "top"},
            showlegend=True,
            shapes=shapes,
            annotations=annotations,
            **axes,
        ),
    }
