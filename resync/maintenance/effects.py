"""Whether an action that ran helped: the FTA's reading before the job and after it ended.

Each command is judged on what it is meant to change: the stdlist clean-up and the file-system
extension on the disk (`disk_percent`), the message-file resize on that file's fill
(`message_file:<name>`), stopping new jobs on the job runs that started on the FTA in the hour
before the job and the hour after it (`jobs_started`). A reading has to drop by
`MIN_DROP_POINTS` percentage points to count (a sample's noise is a fraction of that); the job
runs after have to be fewer, or none.
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import Any, Literal

Effect = Literal["helped", "no_effect"]
MIN_DROP_POINTS = 0.5
JOBS_WINDOW = timedelta(hours=1)
JOBS_STARTED = "jobs_started"


def effect_metric(command: str, arguments: Mapping[str, Any]) -> str:
    """The reading that shows whether `command` helped."""
    if command == "resize_message_file":
        return f"message_file:{arguments['message_file']}"
    if command == "move_jobs_off_workstation":
        return JOBS_STARTED
    return "disk_percent"


def sample_reading(sample: Mapping[str, Any], metric: str) -> float | None:
    """`metric` in one `workstation_metrics_history` row (as a mapping), if it holds it."""
    if metric.startswith("message_file:"):
        files = sample.get("message_files") or {}
        value = files.get(metric.split(":", 1)[1])
    else:
        value = sample.get(metric)
    return None if value is None else float(value)


def judge_effect(metric: str, before: float, after: float) -> Effect:
    """helped when the reading dropped enough (or no job started), else no_effect."""
    if metric == JOBS_STARTED:
        return "helped" if after == 0 or after < before else "no_effect"
    return "helped" if after <= before - MIN_DROP_POINTS else "no_effect"


def effect_words(effect: str | None, metric: str | None, before: Any, after: Any) -> str:
    """The effect in a few words, e.g. "helped: disk 84.1 % → 61.3 %"."""
    if effect is None:
        return ""
    name = "jobs started in the hour" if metric == JOBS_STARTED else (metric or "")
    name = name.replace("disk_percent", "disk").replace("message_file:", "")
    unit = "" if metric == JOBS_STARTED else " %"
    return f"{effect.replace('_', ' ')}: {name} {before:g}{unit} → {after:g}{unit}"
