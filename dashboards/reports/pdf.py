"""The PDF of a report: charts as static SVG by kaleido, the page printed by headless Chromium.

Both need Chromium (Debian's `chromium` on PATH). Kaleido's sync server keeps one browser for
all the charts of a report, and draws a sheet of charts per image: kaleido reloads its page,
plotly.js included, after every image. The page loads the project's own basic plotly.js bundle
(scatter traces only, a quarter of the full library's size, same version as plotly.py's;
installed by `make setup` from `package.json` beside this file), never a CDN.
"""

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import kaleido
from playwright.sync_api import sync_playwright

from dashboards.reports.data import ReportData
from dashboards.reports.figures import chart_sheet, chart_sheets
from dashboards.reports.html import render_html
from resync.reports.content_security import PLOTLY_BUNDLE

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HEADER = (
    '<div style="font-size:8px;width:100%;margin:0 12mm;color:#6b7280;'
    'display:flex;justify-content:space-between">'
    '<span class="title"></span><span>Resync</span></div>'
)
FOOTER = (
    '<div style="font-size:8px;width:100%;margin:0 12mm;color:#6b7280;text-align:right">'
    'page <span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


def find_chromium() -> str:
    """The Chromium executable, or a clear error naming what to install."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise RuntimeError(
            "Chromium is not on PATH: install Debian's 'chromium' package (make setup does) "
            "to render report PDFs"
        )
    return path


def find_plotly_bundle() -> Path:
    """The plotly.js bundle kaleido draws the charts with, or a clear error saying how to get it."""
    if not PLOTLY_BUNDLE.is_file():
        raise RuntimeError(
            f"{PLOTLY_BUNDLE} is missing: run 'make setup' (npm ci in dashboards/reports) "
            "to render report PDFs"
        )
    return PLOTLY_BUNDLE


@contextmanager
def chart_renderer() -> Iterator[None]:
    """Kaleido's sync server for the duration of one report (one browser for every chart)."""
    find_chromium()
    kaleido.start_sync_server(
        n=1, plotlyjs=find_plotly_bundle(), mathjax=False, silence_warnings=True
    )
    try:
        yield
    finally:
        kaleido.stop_sync_server(silence_warnings=True)


def render_chart_images(data: ReportData) -> list[bytes]:
    """One SVG per sheet of charted FTA × resource at risk, in the report's order."""
    sheets = chart_sheets([row for row in data.at_risk() if row.series is not None])
    if not sheets:
        return []
    horizon_days = data.run.horizon_days if data.run is not None else 0
    with chart_renderer():
        return [
            kaleido.calc_fig_sync(chart_sheet(rows, horizon_days), opts={"format": "svg"})
            for rows in sheets
        ]


def print_pdf(html: str) -> bytes:
    """Print `html` to an A4 landscape PDF with the title and page numbers on every page."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=find_chromium(), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            # The print document is self-contained: refuse any request it might still make.
            page.route(
                "**/*",
                lambda route: (
                    route.continue_() if route.request.url.startswith("data:") else route.abort()
                ),
            )
            page.set_content(html, wait_until="load")
            return page.pdf(
                format="A4",
                landscape=True,
                print_background=True,
                prefer_css_page_size=True,
                display_header_footer=True,
                header_template=HEADER,
                footer_template=FOOTER,
            )
        finally:
            browser.close()


def render_pdf(data: ReportData) -> bytes:
    """The PDF of the report: the print variant of the HTML with static chart images."""
    return print_pdf(render_html(data, chart_images=render_chart_images(data)))
