"""The Content-Security-Policy a stored report is served under.

A report is one self-contained HTML page: its only scripts are inline (plotly.js and the one
that draws the charts), its images data URIs. The policy allows exactly those scripts, by hash,
and nothing to be fetched.
"""

import base64
import hashlib
import re

NO_SCRIPT = "'none'"
INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def content_security_policy(html: str) -> str:
    """A CSP that runs exactly the report's own inline scripts and fetches nothing."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(body.encode()).digest()).decode() + "'"
        for body in INLINE_SCRIPT.findall(html)
    )
    return (
        "default-src 'none'; "
        f"script-src {hashes or NO_SCRIPT}; "
        "style-src 'unsafe-inline'; img-src data:; font-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )
