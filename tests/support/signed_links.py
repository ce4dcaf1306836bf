"""The signed links Resync writes into Prefect: found in markdown, checked against the secret."""

import re
import time
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

from resync.links import EXPIRES, SIGNATURE, signing_secret, verify_link
from resync.settings import Settings, get_settings

MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


def markdown_links(markdown: str) -> dict[str, str]:
    """Every `[text](url)` of `markdown`, by text."""
    return dict(MARKDOWN_LINK.findall(markdown))


def check_signed(url: str, path: str, settings: Settings | None = None) -> datetime:
    """Assert `url` is `path` under the public API address, signed and open now; its expiry."""
    settings = settings or get_settings()
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == settings.public_api_url.rstrip("/"), url
    assert parts.path == path, url
    query = parse_qsl(parts.query, keep_blank_values=True)
    values = dict(query)
    verify_link(
        path, query, values[EXPIRES], values[SIGNATURE], signing_secret(settings), time.time()
    )
    return datetime.fromtimestamp(int(values[EXPIRES]), UTC)
