"""The Content-Security-Policy a stored report is served under.

A report is one self-contained HTML page: its only scripts are plotly.js and the one that
draws the charts from their inert JSON, its images data URIs. The policy allows, by hash, those
of the two this installation renders that the page holds, and nothing to be fetched: any other
inline script that found its way into a stored report does not run.
"""

import base64
import hashlib
import re
from functools import lru_cache

from plotly.offline import get_plotlyjs

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
def report_script_hashes() -> frozenset[str]:
    """The scripts a report may run: plotly.js as installed here, and DRAW_CHARTS."""
    return frozenset(script_hash(body) for body in (get_plotlyjs(), DRAW_CHARTS))


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
