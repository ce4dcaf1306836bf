"""The capacity report for 1,000 FTAs, HTML and PDF, beside a naive baseline in the same run.

Synthetic `capacity_forecasts` rows (contract 2): 1,000 FTAs × CPU, memory and disk, about 7 %
of the FTAs with one resource saturating or likely to within the 90-day horizon (their series:
30 days of hourly history and 90 days of hourly forecast with intervals), one FTA in fifty too
new to forecast. Timed, wall clock, from the report data in memory to the HTML and PDF bytes:

- resync: `render_html` (plotly.js inlined once, figures as compact binary arrays), the charts
  as SVG through kaleido's sync server (one browser, the project's basic plotly.js bundle, three
  charts to an image: a printed page), the print variant printed by Chromium.
- baseline: the naive way: each chart its own `to_html(include_plotlyjs=True)` (plotly.js
  repeated per chart), each static image its own `fig.to_image()` (a browser started per
  chart), then the report printed with those images, one per figure.

Each phase also records CPU seconds: this process's, and the browsers' (every descendant
process, live or exited and reaped, from `/proc` through psutil and `os.times`), which the
load of a shared machine distorts less than wall-clock time.

    .venv/bin/python -m benchmarks.report_generation [--workstations 1000] [--output FILE]
"""

import argparse
import json
import os
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import plotly.io
import psutil
import pypdfium2

from benchmarks.machine import describe_machine
from dashboards.reports.data import CapacityRun, Forecast, ReportData
from dashboards.reports.figures import saturation_figure
from dashboards.reports.html import render_html, svg_data_uri
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


def cpu_seconds() -> tuple[float, float]:
    """CPU seconds so far of this process and of its descendants (the browsers)."""
    times = os.times()
    descendants = times.children_user + times.children_system
    for process in psutil.Process().children(recursive=True):
        try:
            cpu = process.cpu_times()
        except psutil.NoSuchProcess:
            continue
        descendants += cpu.user + cpu.system
    return times.user + times.system, descendants


class Phases:
    """Wall-clock and CPU seconds per phase of one report."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, dict[str, float]] = {}
        self._last = time.perf_counter()
        self._last_cpu = cpu_seconds()

    def done(self, phase: str) -> None:
        now, cpu = time.perf_counter(), cpu_seconds()
        self.seconds[phase] = round(now - self._last, 2)
        (python, browsers), (python_before, browsers_before) = cpu, self._last_cpu
        self.cpu_seconds[phase] = {
            "python": round(python - python_before, 2),
            "browsers": round(browsers - browsers_before, 2),
        }
        self._last, self._last_cpu = now, cpu


def resync_report(data: ReportData, phases: Phases) -> tuple[str, list[bytes], bytes]:
    html = render_html(data)
    phases.done("html")
    images = render_chart_images(data)
    phases.done("charts")
    pdf = print_pdf(render_html(data, chart_images=images))
    phases.done("print")
    return html, images, pdf


def baseline_report(data: ReportData, phases: Phases) -> tuple[str, list[bytes], bytes]:
    figures = [
        plotly.io.from_json(json.dumps(saturation_figure(row)))
        for row in data.at_risk()
        if row.series is not None
    ]
    html = render_html(data.model_copy(update={"forecasts": []})) + "".join(
        figure.to_html(include_plotlyjs=True, full_html=False) for figure in figures
    )
    phases.done("html")
    images = [figure.to_image(format="svg", width=1200, height=300) for figure in figures]
    phases.done("charts")
    # The report's print variant with its charts left out, then one printed figure per image.
    uncharted = [row.model_copy(update={"series": None}) for row in data.forecasts]
    printed = render_html(data.model_copy(update={"forecasts": uncharted}), chart_images=[])
    pictures = "".join(
        f'<figure style="break-inside:avoid"><img src="{svg_data_uri(svg)}" '
        'style="height:64mm;max-width:100%"></figure>'
        for svg in images
    )
    pdf = print_pdf(printed.replace("</body>", pictures + "</body>"))
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
        "cpu_seconds": phases.cpu_seconds,
        "cpu_seconds_total": round(
            sum(sum(phase.values()) for phase in phases.cpu_seconds.values()), 2
        ),
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
