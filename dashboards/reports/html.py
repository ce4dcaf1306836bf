"""The report as one self-contained HTML document, interactive or ready for printing.

Interactive: plotly.js (the project's basic bundle) inlined once, each chart's figure as inert
JSON and one script that draws them all. Print: the same document with the charts as static SVG
images, a sheet of charts per page (see `pdf.py`), and no script at all. Nothing is ever
fetched: no CDN, no web font, no remote image.
"""

import base64
import json
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from dashboards.reports.data import RESOURCE_LABELS, Forecast, ReportData
from dashboards.reports.figures import UNITS, caption, chart_sheets, saturation_figure
from resync.capacity.risk import describe_levels
from resync.reports.content_security import DRAW_CHARTS, report_plotly_js

TEMPLATES = Path(__file__).parent / "templates"


def _number(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def _date(value) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d}"


def _datetime(value) -> str:
    return "—" if value is None else f"{value:%Y-%m-%d %H:%M} UTC"


@lru_cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(number=_number, date=_date, datetime=_datetime)
    environment.globals.update(
        resource_labels=RESOURCE_LABELS, units=UNITS, caption=caption, risk_levels=describe_levels()
    )
    return environment


def _figure_json(charted: list[Forecast]) -> list[str]:
    # `</` inside a chart's JSON would end its <script> element early.
    return [json.dumps(saturation_figure(row)).replace("</", "<\\/") for row in charted]


def svg_data_uri(svg: bytes) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


def render_html(data: ReportData, chart_images: list[bytes] | None = None) -> str:
    """The report; with `chart_images` (an SVG per sheet of `chart_sheets`) the print variant."""
    printed = chart_images is not None
    at_risk = data.at_risk()
    charted = [row for row in at_risk if row.series is not None]
    sheets = chart_sheets(charted)
    if printed and len(chart_images) != len(sheets):
        raise ValueError(f"{len(chart_images)} chart images for {len(sheets)} sheets of charts")
    estate = data.estate_table()
    # On paper only what needs a decision; the HTML report lists every forecast.
    table = at_risk if printed else estate
    cost_sources = {
        row.recommendation.cost_source
        for row in data.forecasts
        if row.recommendation is not None and row.recommendation.cost_source
    }
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        summary=data.summary(),
        estate=table,
        not_printed=len(estate) - len(table),
        charted=charted,
        uncharted=[row for row in at_risk if row.series is None],
        insufficient=data.insufficient_data(),
        alerts=data.sorted_alerts(),
        figures=None if printed else _figure_json(charted),
        sheets=(
            [(rows, svg_data_uri(svg)) for rows, svg in zip(sheets, chart_images, strict=True)]
            if printed
            else None
        ),
        plotlyjs=report_plotly_js() if charted and not printed else None,
        draw_charts=DRAW_CHARTS,
        cost_sources=sorted(cost_sources),
    )
