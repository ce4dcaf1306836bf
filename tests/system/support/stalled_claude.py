"""A Messages API endpoint that never answers: a maintenance run calling it stays mid-graph.

The run's briefing node asks Claude (ANTHROPIC_API_KEY set for that run only); this endpoint
takes the request, says it arrived, and holds it until the test is done, so the worker can
be killed while the graph is between its analysis and the review.
"""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class StalledClaude:
    """`with StalledClaude() as claude: ... claude.reached.wait()`; `url` for the base URL."""

    def __init__(self) -> None:
        self.reached = threading.Event()
        self.released = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        claude = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                claude.reached.set()
                claude.released.wait()
                self.send_error(529, "overloaded")

            def log_message(self, *_args: object) -> None:
                pass

        return Handler

    def __enter__(self) -> "StalledClaude":
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()
