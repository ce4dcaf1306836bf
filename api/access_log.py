"""The access log without secrets: a key in the request line is never written whole.

The API refuses a key sent in the query string, but the server logs the request line before
anyone looks at it. Query parameters named like a key, token, secret or password lose their
value, and an `rsk_` key anywhere in the line (path included, percent-encoded or not) its body.
"""

import logging
import re

ACCESS_LOGGER = "uvicorn.access"
MASK = "[REDACTED]"
SECRET_NAME = re.compile(r"key|token|secret|passw", re.IGNORECASE)
API_KEY = re.compile(r"rsk(?:_|%5f)[0-9a-z]*", re.IGNORECASE)


def mask_secrets(target: str) -> str:
    """`target` (a path with its query string) with every key and secret value masked."""
    path, question, query = target.partition("?")
    if question:
        parameters = []
        for parameter in query.split("&"):
            name, equals, _ = parameter.partition("=")
            secret = equals and SECRET_NAME.search(name)
            parameters.append(f"{name}={MASK}" if secret else parameter)
        target = f"{path}?{'&'.join(parameters)}"
    return API_KEY.sub(f"rsk_{MASK}", target)


class MaskSecrets(logging.Filter):
    """Masks the request line of uvicorn's access records: (client, method, path, version,
    status)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and len(record.args) >= 3:
            arguments = list(record.args)
            arguments[2] = mask_secrets(str(arguments[2]))
            record.args = tuple(arguments)
        return True


ACCESS_LOG_FILTER = MaskSecrets()


def mask_access_log() -> None:
    """Install the filter on the server's access logger (once, however many apps start)."""
    logging.getLogger(ACCESS_LOGGER).addFilter(ACCESS_LOG_FILTER)
