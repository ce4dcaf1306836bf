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

Each phase also records CPU seconds: this process's (`time.process_time`), and the browsers'
(every descendant process, polled from `/proc` through psutil), which the load of a shared
machine distorts less than wall-clock time.

    .venv/bin/python -m benchmarks.report_generation [--workstations 1000] [--output FILE]
"""

import argparse
import json
import os
import threading
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


class DescendantCpu:
    """CPU seconds of every process descended from this one (the browsers), polled from /proc.

    Chromium's renderers are not reaped into this process's rusage, so their CPU is read while
    they run, every 0.2 s; a process that exits between two polls loses at most that much.
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[int, float], float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _poll(self) -> None:
        for process in psutil.Process().children(recursive=True):
            try:
                cpu, created = process.cpu_times(), process.create_time()
            except psutil.NoSuchProcess:
                continue
            with self._lock:
                self._seen[(process.pid, created)] = cpu.user + cpu.system

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._poll()

    def total(self) -> float:
        self._poll()
        with self._lock:
            return sum(self._seen.values())

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


class Phases:
    """Wall-clock and CPU seconds (this process's, the browsers') per phase of one report."""

    def __init__(self, browsers: DescendantCpu) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu_seconds: dict[str, dict[str, float]] = {}
        self._browsers = browsers
        self._last = (time.perf_counter(), time.process_time(), browsers.total())

    def done(self, phase: str) -> None:
        now = (time.perf_counter(), time.process_time(), self._browsers.total())
        wall, python, browsers = (
            after - before for after, before in zip(now, self._last, strict=True)
        )
        self.seconds[phase] = round(wall, 2)
        self.cpu_seconds[phase] = {"python": round(python, 2), "browsers": round(browsers, 2)}
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
    browsers = DescendantCpu()
    started = time.perf_counter()
    phases = Phases(browsers)
    html, images, pdf = render(data, phases)
    seconds = time.perf_counter() - started
    browsers.close()
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
        "chart_images": len(images),
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
        "charts": sum(row.series is not None for row in data.at_risk()),
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
