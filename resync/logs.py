"""Logging of the `resync` processes: the command line, the demo sender, the fake HWA master and
the API. One format, in UTC, to stderr (which `resync run` writes to `.resync/<process>.log`).

Resync's own loggers (`resync.*`, `api.*`) log at RESYNC_LOG_LEVEL; other libraries only their
warnings, so a client library's line per request does not bury what Resync says. A process whose
logging someone else already set up (pytest, a host application) is left as it is. Flow runs log
through Prefect's run logger instead.
"""

import logging
import time

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
TIME_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
RESYNC_LOGGERS = ("resync", "api")


def configure_logging(level: str = "INFO") -> None:
    """Log Resync's records at `level` and everyone's warnings to stderr, unless already set up."""
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler()
    formatter = logging.Formatter(FORMAT, TIME_FORMAT)
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in RESYNC_LOGGERS:
        logging.getLogger(name).setLevel(level.upper())
