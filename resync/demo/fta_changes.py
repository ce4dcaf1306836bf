"""What the demo master's maintenance jobs changed on the simulated FTAs.

`resync run` runs the fake master and the demo's sender as two processes; the master writes here
(`demo-fta-changes.json` in the data directory) what an ad hoc job did on an FTA, and the sender
applies it to that FTA's next samples, so an approved action shows in the estate as it would on
a real one: the stdlist clean-up frees the job logs older than its days (on the disk-filling
FTA, its filling is those logs), the file-system extension grows the disk, and the disk
percentage drops.
"""

import json
import shlex
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from resync.demo.adhoc_jobs import AdHocRun
from resync.demo.estate import FtaProfile

FILE_NAME = "demo-fta-changes.json"


@dataclass(frozen=True)
class DemoFtas:
    """The demo estate as the master knows it: its profiles and when its history began."""

    profiles: dict[str, FtaProfile]
    start: datetime
    path: Path

    def job_ended(self, run: AdHocRun) -> None:
        """Record what a successful job did on its FTA (called by the fake master)."""
        profile = self.profiles.get(run.workstation)
        if profile is None or run.return_code != 0:
            return
        argv = shlex.split(run.task_string)
        changes = read_changes(self.path)
        change = changes.setdefault(run.workstation, {"freed_percent": 0.0, "added_gb": 0.0})
        if argv[0] == "rmstdlist":
            days = (run.submitted_at - self.start).total_seconds() / 86400
            freed = profile.disk_growth_per_day * max(0.0, days - int(argv[1]))
            change["freed_percent"] = max(change["freed_percent"], round(freed, 2))
        elif argv[0] == "lvextend":
            change["added_gb"] += float(argv[3].strip("+G"))
        self.path.write_text(json.dumps(changes))


def read_changes(path: Path) -> dict[str, dict[str, float]]:
    """The changes recorded so far, by FTA."""
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}


def apply_changes(payload: dict[str, Any], changes: dict[str, dict[str, float]]) -> dict[str, Any]:
    """`payload` (one sample of `resync.demo.estate.sample`) after its FTA's recorded changes."""
    change = changes.get(payload["workstation"])
    if change is None:
        return payload
    total = payload["host"]["disk_total_gb"]
    used_gb = (payload["metrics"]["disk_percent"] - change["freed_percent"]) / 100 * total
    grown = total + change["added_gb"]
    payload["metrics"]["disk_percent"] = round(max(0.0, 100 * used_gb / grown), 2)
    payload["host"]["disk_total_gb"] = grown
    return payload
