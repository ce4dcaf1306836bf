"""The report on small data: ordering, the HTML offline in Chromium, the PDF rendered and read."""

import base64
import hashlib
import os
import re
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pypdfium2
import pytest
from plotly.offline import get_plotlyjs_version

from dashboards.reports import pdf
from dashboards.reports.data import CapacityRun, Forecast, OpenAlert, ReportData
from dashboards.reports.figures import caption, chart_sheet, chart_sheets, saturation_figure
from dashboards.reports.html import render_html
from dashboards.reports.pdf import CHROMIUM_ARGS, find_chromium, find_plotly_bundle, render_pdf
from resync.reports.content_security import content_security_policy
from tests.support.capacity_rows import forecast_row, insufficient_row
from tests.support.live_api import PROJECT_ROOT

NOW = datetime(2026, 11, 27, 6, tzinfo=UTC)
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "reports"


def require_chromium() -> str:
    """Skip without chromium locally; under CI=true its absence is a failure."""
    path = shutil.which("chromium")
    if path is None:
        message = "chromium is not on PATH (install Debian's 'chromium'; make setup does)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message}; CI is set, so the report's browser tests cannot be skipped")
        pytest.skip(message)
    return path


def sample_report(alerts: bool = True) -> ReportData:
    """Six FTAs: two likely to saturate (disk soonest), one possibly (upper bound only), one flat,
    one shrinking, one too new to forecast; one critical and one warning alert open."""
    rows = [
        forecast_row("WS-FLAT", "cpu", now=NOW, current=40, trend_per_day=0.0),
        forecast_row("WS-MEM", "memory", now=NOW, current=60, trend_per_day=0.6, seed=2),
        forecast_row("WS-DISK", "disk", now=NOW, current=70, trend_per_day=0.9, seed=3),
        forecast_row("WS-EDGE", "disk", now=NOW, current=79, trend_per_day=0.1, seed=4),
        forecast_row("WS-SHRINK", "disk", now=NOW, current=50, trend_per_day=-0.2, seed=5),
        insufficient_row("WS-NEW", "cpu"),
    ]
    open_alerts = [
        OpenAlert(
            workstation="WS-DISK",
            rule="disk_saturation",
            severity="warning",
            message="disk 91 % for 3 samples",
            value=91.0,
            opened_at=NOW - timedelta(hours=3),
            last_seen_at=NOW,
        ),
        OpenAlert(
            workstation="WS-LINK",
            rule="master_unreachable",
            severity="critical",
            message="master port 31116 unreachable for 2 samples",
            value=0.0,
            opened_at=NOW - timedelta(hours=1),
            last_seen_at=NOW,
        ),
    ]
    return ReportData(
        kind="capacity",
        title="Capacity report 2026-11-27",
        scope="estate",
        generated_at=NOW,
        run=CapacityRun(
            id=uuid.uuid4(),
            started_at=NOW - timedelta(minutes=5),
            finished_at=NOW,
            history_days=30,
            horizon_days=90,
            workstation_count=6,
            analyst="deterministic",
            insight="WS-DISK fills its disk first: order more storage by the order-by date.",
            analyst_note="Written by the deterministic analyst: ANTHROPIC_API_KEY is not set.",
        ),
        forecasts=[Forecast.model_validate(row) for row in rows],
        alerts=open_alerts if alerts else [],
    )


def test_the_estate_table_puts_the_soonest_saturation_first() -> None:
    data = sample_report()
    order = [(row.workstation, row.resource) for row in data.estate_table()]
    assert order[:3] == [("WS-DISK", "disk"), ("WS-MEM", "memory"), ("WS-EDGE", "disk")]
    assert set(order[3:]) == {("WS-FLAT", "cpu"), ("WS-SHRINK", "disk")}
    assert [row.risk for row in data.at_risk()] == ["likely", "likely", "possible"]
    assert data.at_risk()[2].saturation_date is None  # possible: only the upper bound crosses
    assert [row.workstation for row in data.insufficient_data()] == ["WS-NEW"]
    assert [alert.severity for alert in data.sorted_alerts()] == ["critical", "warning"]
    assert data.summary() == {
        "kind": "capacity",
        "scope": "estate",
        "capacity_run_id": str(data.run.id),
        "analyst": "deterministic",
        "forecasts": 5,
        "provisional": 0,
        "unreliable": 0,
        "monthly_cost": {"total": 48.3, "sized": 2, "watched": 1, "currency": "USD"},
        "at_risk": 3,
        "likely_saturations": 2,
        "possible_saturations": 1,
        "insufficient_data": 1,
        "open_alerts": 2,
        "workstations_at_risk": 3,
    }


def _decoded(spec: dict) -> np.ndarray:
    """A plotly.js typed-array spec back as numbers."""
    dtype = {"f4": np.float32, "f8": np.float64}[spec["dtype"]]
    return np.frombuffer(base64.b64decode(spec["bdata"]), dtype=dtype)


def test_a_chart_shows_history_forecast_bands_threshold_and_both_dates() -> None:
    row = sample_report().at_risk()[0]
    figure = saturation_figure(row)
    names = [trace["name"] for trace in figure["data"]]
    assert names == ["95 % interval", "80 % interval", "history", "forecast (median path)"]
    history, forecast = figure["data"][2], figure["data"][3]
    # The forecast stops where its median path reaches 100 %.
    full = next(i for i, point in enumerate(row.series.forecast) if point.mean >= 100)
    assert len(_decoded(history["x"])) == 30 * 24 and len(_decoded(forecast["x"])) == full + 1
    assert _decoded(history["y"])[-1] == pytest.approx(row.series.history[-1].v, abs=1e-4)
    assert _decoded(forecast["x"])[0] == row.series.forecast[0].t.timestamp() * 1000
    texts = [annotation["text"] for annotation in figure["layout"]["annotations"]]
    today = row.series.history[-1].t
    assert texts == [
        "threshold 90 %",
        f"today {today:%d %b}",
        f"order by {row.order_by_date:%d %b}",
        f"P10 {row.saturation_date_earliest:%d %b}",
        f"P50 {row.saturation_date:%d %b}",
    ]
    heights = {a["text"].split()[0]: a["y"] for a in figure["layout"]["annotations"][1:]}
    # An overdue order-by date lies days before today: its label goes below today's.
    assert heights["order"] < heights["today"] == heights["P10"] == heights["P50"]
    assert [shape["x0"] for shape in figure["layout"]["shapes"][1:]] == [
        today.timestamp() * 1000,
        row.order_by_date.timestamp() * 1000,
        row.saturation_date_earliest.timestamp() * 1000,
        row.saturation_date.timestamp() * 1000,
    ]
    without_series = row.model_copy(update={"series": None})
    with pytest.raises(ValueError, match="WS-DISK · Disk has no series to chart"):
        saturation_figure(without_series)


def test_printed_charts_come_three_to_a_sheet_each_under_its_caption() -> None:
    data = sample_report()
    rows = [row for row in data.at_risk() for _ in range(3)][:7]
    sheets = chart_sheets(rows)
    assert [len(sheet) for sheet in sheets] == [3, 3, 1]
    figure = chart_sheet(sheets[0], horizon_days=90)
    layout = figure["layout"]
    assert [trace["xaxis"] for trace in figure["data"][::4]] == ["x", "x2", "x3"]
    assert [trace["showlegend"] for trace in figure["data"]] == [True] * 4 + [False] * 8
    domains = [layout[f"yaxis{axis}"]["domain"] for axis in ("", "2", "3")]
    assert domains == sorted(domains, reverse=True)  # first chart on top, no overlap
    assert all(upper[0] > lower[1] for upper, lower in zip(domains, domains[1:], strict=False))
    captions = [a["text"] for a in layout["annotations"] if a["text"].startswith("<b>")]
    assert len(captions) == 3
    assert captions[0].startswith("<b>WS-DISK</b> <span style='color:#6b7280'>Disk</span><br>")
    assert caption(rows[0], 90) in captions[0]
    assert "P10 2027-01-" in caption(rows[6], 90) and "P50 — ·" in caption(rows[6], 90)
    assert layout["height"] == 3 * 256 + 30
    assert chart_sheet(sheets[2], horizon_days=90)["layout"]["height"] == 256 + 30
    assert chart_sheets([]) == []


def test_the_html_is_self_contained_with_plotly_inlined_once() -> None:
    html = render_html(sample_report())
    assert html.count("plotly.js (basic - minified) v") == 1  # its banner: inlined once
    assert len(re.findall(r"<script>", html)) == 2
    assert len(re.findall(r'<script type="application/json" data-chart=', html)) == 3
    # The markup outside the scripts names nothing remote (the browser test proves the rest).
    markup = re.sub(r"<script>.*?</script>", "", html, flags=re.DOTALL)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", markup)
    assert "<link" not in markup and "@import" not in markup
    for text in (
        "Capacity report 2026-11-27",
        "30 days · 90 days",
        "the deterministic analyst",
        "ANTHROPIC_API_KEY is not set",
        "WS-DISK fills its disk first",
        "Too little data to forecast",
        "WS-NEW · CPU",
        "master port 31116 unreachable",
        "add 100 GB (to 300 GB)",
        "P50 — · P90 — · 32% within 90 d (possible)",
        "Methodology and data quality",
    ):
        assert text in html, text
    assert html.index("WS-DISK") < html.index("WS-MEM") < html.index("WS-FLAT")


def test_the_methodology_states_the_band_coverage_measured_on_the_estate_per_resource() -> None:
    data = sample_report()
    coverages = {("WS-DISK", "disk"): 6 / 7, ("WS-EDGE", "disk"): 4 / 7, ("WS-MEM", "memory"): 1.0}
    for row in data.forecasts:
        row.band_coverage = coverages.get((row.workstation, row.resource))
    lines = {line["resource"]: line for line in data.accuracy()}
    assert lines["disk"]["coverage"] == pytest.approx(5 / 7) and lines["disk"]["backtested"] == 2
    assert lines["cpu"]["coverage"] is None and lines["cpu"]["backtested"] == 0
    html = render_html(data)
    methodology = html[html.index('<section class="methodology">') :]
    assert '<th scope="col" class="num">P10–P90 coverage</th>' in methodology
    assert "71% of 2" in methodology and "100% of 1" in methodology
    assert "share of held-back days inside the P10–P90 band" in methodology


def test_each_row_at_risk_names_its_level_and_only_likely_ones_are_priced() -> None:
    html = render_html(sample_report())
    rows = {
        name: html[html.index(f"<td>{name}") : html.index("</tr>", html.index(f"<td>{name}"))]
        for name in ("WS-DISK", "WS-EDGE", "WS-FLAT")
    }
    assert '<strong class="level likely">likely</strong>' in rows["WS-DISK"]
    assert "add 100 GB" in rows["WS-DISK"] and "8 USD" in rows["WS-DISK"]
    assert '<strong class="level possible">possible</strong>' in rows["WS-EDGE"]
    assert "watch: nothing proposed until likely" in rows["WS-EDGE"]
    assert "USD" not in rows["WS-EDGE"]
    assert 'class="level' not in rows["WS-FLAT"]
    assert '48 USD</span><span class="label">proposed a month for 2 likely saturations' in html
    methodology = html[html.index('<section class="methodology">') :]
    assert (
        "Risk levels come from the probability of a crossing within the horizon: likely: a "
        "crossing within the horizon has a chance of 66% or more (likely on the IPCC scale; the "
        "P50 date within it), capacity is proposed; possible: a chance of 10% to 66% (as likely "
        "as not or less; the P10 date within it), a watch item, nothing is bought. Capacity and "
        "its cost are proposed for likely saturations only" in methodology
    )


def test_the_report_says_which_analyst_wrote_the_insight_and_why() -> None:
    deterministic = render_html(sample_report())
    assert deterministic.count("Written by the deterministic analyst") == 1
    assert (
        "Written by the deterministic analyst: ANTHROPIC_API_KEY is not set. It applies fixed "
        "rules to the figures below; no language model was used." in deterministic
    )
    data = sample_report()
    data.run.analyst, data.run.analyst_note = "claude-sonnet-4-6", None
    claude = render_html(data)
    assert "<dd>claude-sonnet-4-6</dd>" in claude
    assert "Written by claude-sonnet-4-6, a language model, from the figures below" in claude
    assert "deterministic" not in claude


def test_text_from_the_data_is_escaped() -> None:
    data = sample_report()
    data.run.insight = "<script>alert(1)</script> & more"
    html = render_html(data)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert "<script>alert(1)" not in html


def test_an_estate_report_without_forecasts_has_no_script() -> None:
    data = ReportData(kind="estate", title="Estate report 2026-11-27", generated_at=NOW)
    html = render_html(data)
    assert "<script" not in html
    assert "No open alerts." in html and "Capacity run" in html and "none yet" in html
    assert content_security_policy(html).startswith("default-src 'none'; script-src 'none';")


def test_the_csp_names_exactly_the_inline_scripts() -> None:
    html = render_html(sample_report())
    bodies = re.findall(r"<script>(.*?)</script>", html, re.DOTALL)
    digests = {
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in bodies
    }
    script_src = re.search(r"script-src ([^;]*);", content_security_policy(html)).group(1)
    assert set(script_src.split()) == digests and len(digests) == 2


def _open_in_chromium(html_path: Path | None = None, csp_html: str | None = None):
    """Load the report with every request outside file: and data: failed; return what ran."""
    from playwright.sync_api import sync_playwright

    chromium = require_chromium()
    attempted, errors, violations = [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.add_init_script(
            "document.addEventListener('securitypolicyviolation', e => "
            "(window.__violations = window.__violations || []).push(e.violatedDirective));"
        )

        def guard(route):
            url = route.request.url
            if url.startswith(("file:", "data:")):
                return route.continue_()
            if csp_html is not None and url == "http://report.test/report.html":
                # Served as the API serves it, with its Content-Security-Policy header.
                return route.fulfill(
                    body=csp_html,
                    content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": content_security_policy(csp_html)},
                )
            attempted.append(url)
            return route.abort()

        page.route("**/*", guard)
        page.goto(html_path.as_uri() if html_path else "http://report.test/report.html")
        page.wait_for_function("document.querySelectorAll('.plot .main-svg').length >= 3")
        drawn = page.evaluate("document.querySelectorAll('.plot .main-svg').length")
        violations = page.evaluate("window.__violations || []")
        if html_path is not None:
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=ARTIFACTS / "report-html.png", full_page=True)
        browser.close()
    return attempted, errors, violations, drawn


@pytest.mark.browser
def test_the_html_opens_offline_in_chromium_and_draws_every_chart(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text(render_html(sample_report()))
    attempted, errors, violations, drawn = _open_in_chromium(html_path=path)
    assert attempted == []
    assert errors == []
    assert violations == []
    assert drawn >= 3


@pytest.mark.browser
def test_the_html_runs_under_its_content_security_policy() -> None:
    attempted, errors, violations, drawn = _open_in_chromium(csp_html=render_html(sample_report()))
    assert (attempted, errors, violations) == ([], [], [])
    assert drawn >= 3


def _count_pixels(image, dominant: int) -> int:
    """Pixels where channel `dominant` (0 red, 2 blue) clearly outweighs the other two."""
    return sum(
        1
        for pixel in image.convert("RGB").get_flattened_data()
        if all(pixel[dominant] > pixel[other] + 50 for other in range(3) if other != dominant)
    )


@pytest.mark.browser
def test_the_pdf_has_every_section_and_its_charts_are_drawn() -> None:
    require_chromium()
    pdf = render_pdf(sample_report())
    assert pdf.startswith(b"%PDF-")
    document = pypdfium2.PdfDocument(pdf)
    pages = len(document)
    assert 2 <= pages <= 4
    texts = [document[number].get_textpage().get_text_range() for number in range(pages)]
    text = " ".join("\n".join(texts).split())  # a phrase may wrap inside its box
    for expected in (
        "Capacity report 2026-11-27",
        "Estate, by order-by date then probability",
        "FTAs at risk",
        "WS-DISK",
        "WS-NEW · CPU",
        "Open alerts",
        "master port 31116 unreachable",
        "OVERDUE",
        f"page 1 of {pages}",
        "2 further forecasts have no saturation likely or possible within 90 days",
        "proposed a month for 2 likely saturations; nothing for the 1 possible",
        "watch: nothing proposed until likely",
    ):
        assert expected in text, expected
    assert "WS-FLAT" not in text  # on paper only the rows that need a decision
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart_pages = [number for number, page in enumerate(texts) if "P50 2026" in page]
    assert chart_pages
    for number in range(pages):
        image = document[number].render(scale=1.5).to_pil()
        image.save(ARTIFACTS / f"report-pdf-page-{number + 1}.png")
        if number in chart_pages:
            # The forecast and its bands (blue) and the threshold (red) are drawn: not blank.
            assert _count_pixels(image, dominant=2) > 1_000
            assert _count_pixels(image, dominant=0) > 100
    first = document[0].render(scale=1).to_pil().convert("L")
    assert first.getextrema()[0] < 80  # text is printed dark, not greyed out


def test_a_missing_chromium_is_a_clear_error_and_fails_the_tests_under_ci(monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RuntimeError, match="Chromium is not on PATH: install Debian's 'chromium'"):
        find_chromium()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set, so the report's browser tests"):
        require_chromium()


def test_a_missing_plotly_bundle_is_a_clear_error(monkeypatch, tmp_path: Path) -> None:
    banner = find_plotly_bundle().read_text(encoding="utf-8")[:60]
    # The same plotly.js as the one plotly.py inlines into the interactive HTML.
    assert f"plotly.js (basic - minified) v{get_plotlyjs_version()}\n" in banner
    monkeypatch.setattr(pdf, "PLOTLY_BUNDLE", tmp_path / "plotly-basic.min.js")
    with pytest.raises(RuntimeError, match=r"plotly-basic.min.js is missing: run 'make setup'"):
        pdf.render_chart_images(sample_report())


def test_the_methodology_says_which_history_window_each_forecast_used() -> None:
    data = sample_report()
    html = render_html(data)
    assert "every model is fitted to the last 30 days of its series" in html
    assert "No month-end peak recurred in the longer history read" in html
    data.forecasts[0].calendar = {"history_days": 180.0, "days": ["last day of the month"]}
    html = render_html(data)
    assert "WS-FLAT · CPU: last day of the month, learned from 180.0 days of history" in html
    assert "No month-end peak recurred" not in html
