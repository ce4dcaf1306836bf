"""Logging of the `resync` processes: the command line, the demo sender, the fake HWA master and
the API. One format, in UTC, to stderr (which `resync run` writes to `.resync/<process>.log`):
lines of text, or with RESYNC_LOG_FORMAT=json one JSON object per line for a log shipper.

Resync's own loggers (`resync.*`, `api.*`) log at RESYNC_LOG_LEVEL; other libraries only their
warnings, so a client library's line per request does not bury what Resync says. A process whose
logging someone else already set up (pytest, a host application) is left as it is. Flow runs log
through Prefect's run logger instead; Prefect's console handler takes `JsonFormatter` by name
(README, "Logs") so that the workers write the same JSON objects.
"""

import json
import logging
import time
from typing import Any

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RESYNC_LOGGERS = ("resync", "api")
# What Prefect's run logger adds to a flow or task run's records.
RUN_FIELDS = ("flow_run_id", "flow_run_name", "flow_name", "task_run_id", "task_run_name")


class JsonFormatter(logging.Formatter):
    """A record as one JSON object: time (UTC, milliseconds), level, logger, message, the run it
    belongs to when a flow or task run logged it, and the traceback of an exception.

    It takes (and ignores) the format, date format and style that `logging.config` passes to a
    formatter named by class, as Prefect's logging settings do."""

    def __init__(self, *_format: Any, **_options: Any) -> None:
        super().__init__()

    def format(self, record: logging.LogRecord) -> str:
        seconds = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        entry: dict[str, Any] = {
            "time": f"{seconds}.{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in RUN_FIELDS:
            if hasattr(record, name):
                entry[name] = str(getattr(record, name))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str = "INFO", log_format: str = "text") -> None:
    """Log Resync's records at `level` and everyone's warnings to stderr, as `log_format` (text
    or json), unless already set up."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        formatter = logging.Formatter(FORMAT, TIME_FORMAT)
        formatter.converter = time.gmtime
        handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in RESYNC_LOGGERS:
        logging.getLogger(name).setLevel(level.upper())
