"""The Content-Security-Policy a stored report is served under.

A report is one self-contained HTML page: its only scripts are plotly.js (the project's basic
bundle, scatter traces only, a quarter of the full library: `PLOTLY_BUNDLE`, installed by `make
setup` from dashboards/reports/package.json) and the one that draws the charts from their inert
JSON, its images data URIs. The policy allows, by hash, those
of the two this installation renders that the page holds, and nothing to be fetched: any other
inline script that found its way into a stored report does not run.
"""

import base64
import hashlib
import re
from functools import lru_cache
from pathlib import Path

PLOTLY_BUNDLE = (
    Path(__file__).resolve().parents[2]
    / "dashboards"
    / "reports"
    / "node_modules"
    / "plotly.js-basic-dist-min"
    / "plotly-basic.min.js"
)
NO_SCRIPT = "'none'"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
# Draws each chart from the figure JSON in its <script type="application/json"> element.
DRAW_CHARTS = (
    "for (const data of document.querySelectorAll('script[data-chart]')) {"
    " const figure = JSON.parse(data.textContent);"
    " Plotly.newPlot(data.dataset.chart, figure.data, figure.layout,"
    " {displaylogo: false, responsive: true}); }"
)


def script_hash(body: str) -> str:
    """The CSP source that allows the inline script `body`."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"


@lru_cache(maxsize=1)
def report_plotly_js() -> str:
    """The plotly.js every report inlines, or a clear error saying how to install it."""
    if not PLOTLY_BUNDLE.is_file():
        raise RuntimeError(
            f"{PLOTLY_BUNDLE} is missing: run 'make setup' (npm ci in dashboards/reports) "
            "to render and serve reports"
        )
    return PLOTLY_BUNDLE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def report_script_hashes() -> frozenset[str]:
    """The scripts a report may run: plotly.js as installed here, and DRAW_CHARTS."""
    return frozenset(script_hash(body) for body in (report_plotly_js(), DRAW_CHARTS))


def content_security_policy(html: str) -> str:
    """A CSP that runs the report scripts `html` holds, no other script, and fetches nothing."""
    found = dict.fromkeys(script_hash(body) for body in INLINE_SCRIPT.findall(html))
    allowed = [source for source in found if source in report_script_hashes()]
    return (
        "default-src 'none'; "
        f"script-src {' '.join(allowed) or NO_SCRIPT}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
