"""A local webhook behind Prefect's custom-webhook notification block, named in
RESYNC_NOTIFICATION_BLOCK: what Resync notifies, as the receiving end gets it."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from prefect.blocks.notifications import CustomWebhookNotificationBlock

from resync.settings import get_settings


@contextmanager
def notification_webhook(monkeypatch: pytest.MonkeyPatch, block: str) -> Iterator[list[dict]]:
    """Saves block `block` posting to a local webhook; yields the bodies it receives."""
    received: list[dict] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    CustomWebhookNotificationBlock(
        name=block,
        url=f"http://127.0.0.1:{server.server_port}/hook",
        json_data={"subject": "{{subject}}", "text": "{{body}}"},
    ).save(block, overwrite=True)
    monkeypatch.setenv("RESYNC_NOTIFICATION_BLOCK", f"custom-webhook/{block}")
    get_settings.cache_clear()
    try:
        yield received
    finally:
        server.shutdown()
        server.server_close()
        get_settings.cache_clear()
