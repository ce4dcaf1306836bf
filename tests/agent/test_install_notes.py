"""The installation notes hold files other programs read: they must be what those programs take."""

import plistlib
import re

from tests.agent.conftest import REPO

README = REPO / "agent" / "README.md"


def test_macos_launch_daemon_runs_the_collector_as_the_tws_user_every_5_minutes():
    notes = README.read_text()
    [block] = re.findall(r"```xml\n(.*?)```", notes, flags=re.DOTALL)
    daemon = plistlib.loads("\n".join(line.strip() for line in block.splitlines()).encode())
    # A LaunchDaemon (servers, no user logged in), not a LaunchAgent, under the TWS user.
    path = "/Library/LaunchDaemons/com.example.resync-agent.plist"
    assert path in notes and f"launchctl bootstrap system {path}" in notes
    assert daemon["Label"] == "com.example.resync-agent"
    assert daemon["UserName"] == "twsuser"
    assert daemon["ProgramArguments"][0].endswith("/collect_metrics.sh")
    assert daemon["StartInterval"] == 300
