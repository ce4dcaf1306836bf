"""The stack's parts as subprocesses, each in its own process group, each with its log file.

A failing set-up command or a process that dies early raises with the end of its log, and
`log_tails()` gives the end of every log for a failed test's report.
"""

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[3]


class Processes:
    """`start()` long-running parts, `run()` set-up commands; `stop()` ends them all."""

    def __init__(self, log_dir: Path, environment: dict[str, str]) -> None:
        self.log_dir = log_dir
        self.environment = environment
        self.running: dict[str, subprocess.Popen[bytes]] = {}
        self.logs: list[Path] = []

    def _log(self, name: str) -> Path:
        path = self.log_dir / f"{name}.log"
        if path not in self.logs:
            self.logs.append(path)
        return path

    def start(self, name: str, *command: str, extra: dict[str, str] | None = None) -> None:
        """Start `command` from the repository root; its output goes to `<name>.log`."""
        with self._log(name).open("ab") as log:
            self.running[name] = subprocess.Popen(
                command,
                cwd=ROOT,
                env={**self.environment, **(extra or {})},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def run(self, name: str, *command: str, timeout: float = 180) -> None:
        """Run a set-up command from the repository root to completion; raise if it fails."""
        with self._log(name).open("ab") as log:
            result = subprocess.run(
                command,
                cwd=ROOT,
                env=self.environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            )
        if result.returncode != 0:
            raise AssertionError(
                f"`{' '.join(command)}` exited with {result.returncode}:\n{self.tail(name)}"
            )

    def wait(self, name: str, timeout: float) -> None:
        """Until the started process `name` exits, successfully."""
        code = self.running.pop(name).wait(timeout=timeout)
        if code != 0:
            raise AssertionError(f"{name} exited with {code}:\n{self.tail(name)}")

    def wait_healthy(self, name: str, url: str, timeout: float = 120) -> None:
        """Until `url` answers 200, failing at once if the process `name` exits first."""
        self.wait_until(lambda: _answers(url), timeout, f"{name} to answer at {url}", name)

    def wait_until(
        self, condition: Callable[[], object], timeout: float, what: str, *watched: str
    ) -> object:
        """Poll `condition` until truthy; any of the `watched` processes dying fails at once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for name in watched or self.running:
                process = self.running.get(name)
                if process is not None and process.poll() is not None:
                    raise AssertionError(
                        f"{name} exited with {process.returncode} while waiting for {what}:\n"
                        f"{self.tail(name)}"
                    )
            value = condition()
            if value:
                return value
            time.sleep(0.5)
        raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")

    def kill(self, name: str) -> None:
        """SIGKILL the process, its process group and any descendant that left the group."""
        process = self.running.pop(name)
        descendants = psutil.Process(process.pid).children(recursive=True)
        os.killpg(process.pid, signal.SIGKILL)
        for child in descendants:
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        process.wait(timeout=30)
        psutil.wait_procs(descendants, timeout=30)

    def stop(self) -> None:
        for process in self.running.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.running.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=20)
        self.running.clear()

    def tail(self, name: str, lines: int = 60) -> str:
        path = self.log_dir / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else "(no log)"
        return "\n".join(text.splitlines()[-lines:])

    def log_tails(self, lines: int = 60) -> str:
        """The end of every log, each under its path."""
        return "\n\n".join(f"==> {path} <==\n{self.tail(path.stem, lines)}" for path in self.logs)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
