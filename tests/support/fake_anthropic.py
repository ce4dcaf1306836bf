"""A local stand-in for the Anthropic Messages API (`POST /v1/messages`), for tests.

It speaks the wire format the real SDK expects: a `message` object with text content on
success, an `{"type": "error", "error": {...}}` body with the HTTP status on failure. Replies
are queued; the last one is repeated (so SDK retries of an error see the same error). Every
request body and its headers are kept for assertions.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from resync.settings import Settings

TEST_KEY = "sk-ant-test-key"
ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 529: "overloaded_error"}


class FakeAnthropic:
    """`with FakeAnthropic() as fake: fake.reply_json({...}); ... fake.requests`."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self._replies: list[tuple[int, dict[str, Any]]] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def settings(self) -> Settings:
        """Settings that send the real SDK here, with a test key."""
        return Settings(
            anthropic_api_key=TEST_KEY,
            anthropic_base_url=self.url,
            anthropic_model="claude-sonnet-4-6",
            anthropic_timeout_seconds=10,
        )

    def reply_text(self, text: str, stop_reason: str = "end_turn") -> None:
        """Queue a successful reply whose single text block is `text`."""
        self._replies.append((200, {"text": text, "stop_reason": stop_reason}))

    def reply_json(self, value: Any) -> None:
        """Queue a successful reply whose text block is `value` as JSON (structured output)."""
        self.reply_text(json.dumps(value))

    def reply_error(self, status: int, message: str) -> None:
        """Queue an API error with the given HTTP status."""
        self._replies.append((status, {"message": message}))

    def __enter__(self) -> "FakeAnthropic":
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _next_reply(self) -> tuple[int, dict[str, Any]]:
        if not self._replies:
            return 500, {"message": "the fake has no reply queued"}
        return self._replies.pop(0) if len(self._replies) > 1 else self._replies[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length", "0"))
                body = json.loads(self.rfile.read(length) or b"{}")
                if self.path.split("?")[0] != "/v1/messages":
                    self._send(404, _error(404, f"no route {self.path}"))
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not (headers.get("x-api-key") or headers.get("authorization")):
                    self._send(401, _error(401, "x-api-key header is required"))
                    return
                fake.requests.append(body)
                fake.headers.append(headers)
                status, reply = fake._next_reply()
                if status != 200:
                    self._send(status, _error(status, reply["message"]))
                    return
                self._send(200, _message(body, reply["text"], reply["stop_reason"]))

            def _send(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.send_header("request-id", f"req_{uuid.uuid4().hex[:24]}")
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        return Handler


def _message(request: dict[str, Any], text: str, stop_reason: str) -> dict[str, Any]:
    return {
        "id": f"msg_{uuid.uuid4().hex[:24]}",
        "type": "message",
        "role": "assistant",
        "model": request.get("model", "claude-fake"),
        "content": [{"type": "text", "text": text}],
        "stop_reason": stop_reason,
        "stop_sequence": None,
        "usage": {"input_tokens": 100, "output_tokens": len(text.split())},
    }


def _error(status: int, message: str) -> dict[str, Any]:
    kind = ERROR_TYPES.get(status, "api_error")
    return {"type": "error", "error": {"type": kind, "message": message}}
