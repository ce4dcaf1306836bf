"""The capacity report for 1,000 FTAs, HTML and PDF, beside a naive baseline in the same run.

Synthetic `capacity_forecasts` rows (contract 2): 1,000 FTAs × CPU, memory and disk, about 7 %
of the FTAs with one resource saturating or likely to within the 90-day horizon (their series:
30 days of hourly history and 90 days of hourly forecast with intervals), one FTA in fifty too
new to forecast. Timed, wall clock, from the report data in memory to the HTML and PDF bytes:

- resync: `render_html` (plotly.js inlined once, figures as compact binary arrays), the charts
  as SVG through kaleido's sync server (one browser for every chart), the print variant printed
  by Chromium.
- baseline: the naive way: each chart its own `to_html(include_plotlyjs=True)` (plotly.js
  repeated per chart), each static image its own `fig.to_image()` (a browser started per
  chart), then the same printing.

    .venv/bin/python -m benchmarks.report_generation [--workstations 1000] [--output FILE]
"""

import argparse
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pypdfium2

from benchmarks.machine import describe_machine
from dashboards.reports.data import CapacityRun, Forecast, ReportData
from dashboards.reports.figures import saturation_figure
from dashboards.reports.html import render_html
from dashboards.reports.pdf import print_pdf, render_chart_images
from tests.support.capacity_rows import synthetic_estate

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
TARGET_SECONDS = 15.0


def make_report(workstations: int) -> ReportData:
    rows = synthetic_estate(workstations, now=NOW, share_at_risk=0.07)
    return ReportData(
        kind="capacity",
        title="Capacity report 2026-11-27",
        generated_at=NOW,
        run=CapacityRun(
            id=uuid.uuid4(),
            started_at=NOW,
            finished_at=NOW,
            history_days=30,
            horizon_days=90,
            workstation_count=workstations,
            analyst="deterministic",
            insight="Synthetic estate for the report benchmark.",
            analyst_note="Written by the deterministic analyst: ANTHROPIC_API_KEY is not set.",
        ),
        forecasts=[Forecast.model_validate(row) for row in rows],
    )


class Phases:
    """Wall-clock seconds per phase of one report."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def done(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = round(now - self._last, 2)
        self._last = now


def resync_report(data: ReportData, phases: Phases) -> tuple[str, list[bytes], bytes]:
    html = render_html(data)
    phases.done("html")
    images = render_chart_images(data)
    phases.done("charts")
    pdf = print_pdf(render_html(data, chart_images=images))
    phases.done("print")
    return html, images, pdf


def baseline_report(data: ReportData, phases: Phases) -> tuple[str, list[bytes], bytes]:
    figures = [saturation_figure(row) for row in data.at_risk() if row.series is not None]
    html = render_html(data.model_copy(update={"forecasts": []})) + "".join(
        figure.to_html(include_plotlyjs=True, full_html=False) for figure in figures
    )
    phases.done("html")
    images = [figure.to_image(format="svg") for figure in figures]
    phases.done("charts")
    pdf = print_pdf(render_html(data, chart_images=images))
    phases.done("print")
    return html, images, pdf


def measure(name: str, render, data: ReportData) -> dict:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    phases = Phases()
    html, images, pdf = render(data, phases)
    seconds = time.perf_counter() - started
    pages = len(pypdfium2.PdfDocument(pdf))
    result = {
        "seconds": round(seconds, 2),
        "phases": phases.seconds,
        "html_mb": round(len(html.encode()) / 1e6, 2),
        "pdf_mb": round(len(pdf) / 1e6, 2),
        "pdf_pages": pages,
        "charts": len(images),
        "load_average_1min": [round(load_before, 1), round(os.getloadavg()[0], 1)],
    }
    print(name, json.dumps(result), flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--workstations", type=int, default=1000)
    parser.add_argument(
        "--output", type=Path, default=ROOT / "benchmarks/results/report_generation.json"
    )
    arguments = parser.parse_args()
    data = make_report(arguments.workstations)
    summary = data.summary()
    resync = measure("resync", resync_report, data)
    baseline = measure("baseline", baseline_report, data)
    result = {
        "machine": describe_machine(),
        "workstations": arguments.workstations,
        "forecasts": summary["forecasts"],
        "at_risk": summary["at_risk"],
        "insufficient_data": summary["insufficient_data"],
        "target_seconds": TARGET_SECONDS,
        "resync": resync,
        "baseline": baseline,
        "speedup": round(baseline["seconds"] / resync["seconds"], 1),
        "within_target": resync["seconds"] <= TARGET_SECONDS,
    }
    arguments.output.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
