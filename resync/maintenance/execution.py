"""Running an approved maintenance action: a dry run by default, a real one only when enabled.

The argv comes from the allow-listed catalogue (`resync.maintenance.actions.build_argv`) and is
run without a shell; the output kept is the end of stdout and stderr, capped.
"""

import shlex
import subprocess
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionOutcome:
    """What running (or dry-running) an action gave: exit code (None when not run) and output."""

    exit_code: int | None
    output: str


def cap_output(raw: bytes, max_bytes: int) -> str:
    """The last `max_bytes` of `raw` as text (a cut multibyte character is replaced)."""
    if len(raw) <= max_bytes:
        return raw.decode(errors="replace")
    return "[…] " + raw[-max_bytes:].decode(errors="replace")


def run_action(
    argv: list[str], *, execute: bool, timeout_seconds: float, output_max_bytes: int
) -> ActionOutcome:
    """Run `argv` (no shell) when `execute`, else only say what would run."""
    if not execute:
        return ActionOutcome(None, f"dry run: would run {shlex.join(argv)}")
    try:
        completed = subprocess.run(
            argv,
            shell=False,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout_seconds,
            check=False,
        )
    except FileNotFoundError:
        return ActionOutcome(127, f"{argv[0]}: command not found on this host")
    except subprocess.TimeoutExpired as error:
        output = cap_output(error.output or b"", output_max_bytes)
        return ActionOutcome(None, f"timed out after {timeout_seconds:g} s\n{output}")
    return ActionOutcome(completed.returncode, cap_output(completed.stdout, output_max_bytes))
