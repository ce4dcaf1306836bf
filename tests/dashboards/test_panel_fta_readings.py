"""The panel's FTA readings: what the real collector sent, through the live API and ingest."""

import os
import socket
import subprocess
from pathlib import Path

import pytest

from api.admin_panel import PANEL_DIRECTORY
from dashboards.reports.pdf import CHROMIUM_ARGS
from tests.agent.conftest import AGENT, FAKES
from tests.dashboards.test_admin_panel import ARTIFACTS, CHROMIUM, require
from tests.support.live_api import LiveApi


@pytest.mark.browser
def test_fta_readings_sent_by_the_collector(
    live_api: LiveApi, database_url: str, tmp_path: Path
) -> None:
    """The real collector (AIX played by the agent tests' fakes) posts to the live API, the
    ingest flow loads the sample, and the panel shows every optional reading it carried."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[dev]')")
    require(CHROMIUM.is_file(), f"Debian's chromium is missing at {CHROMIUM}")
    require(
        (PANEL_DIRECTORY / "index.html").is_file(), f"the panel is not built in {PANEL_DIRECTORY}"
    )
    _, key = live_api.create_key(["metrics:write"])
    with socket.socket() as closed, socket.socket() as https:
        closed.bind(("127.0.0.1", 0))
        netman_port = closed.getsockname()[1]
        https.bind(("127.0.0.1", 0))
        https.listen(16)  # the kernel completes the collector's connects; nothing is read
        https_port = https.getsockname()[1]
        result = run_aix_collector(tmp_path, live_api.url, key, netman_port, https_port)
    assert result.returncode == 0, result.stderr
    live_api.ingest()

    _, reader_key = live_api.create_key(["admin:read", "metrics:read"])
    _, admin_only_key = live_api.create_key(["admin:read"])
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900})
        page_errors: list[str] = []
        page.on("pageerror", lambda error: page_errors.append(str(error)))

        # A key without metrics:read keeps the key grid and is told what the FTAs need.
        sign_in(page, live_api.url, admin_only_key)
        page.get_by_role("button", name="FTA readings").click()
        expect(page.get_by_role("alert")).to_have_text(
            "API key lacks the 'metrics:read' scope: sign in with a key that also has "
            "metrics:read to see the FTAs."
        )
        page.get_by_role("button", name="Keys").click()
        expect(page.get_by_role("heading", name="API keys")).to_be_visible()
        page.get_by_role("button", name="Sign out").click()

        sign_in(page, live_api.url, reader_key)
        page.get_by_role("button", name="FTA readings").click()
        expect(page.get_by_role("heading", name="FTAs")).to_be_visible()
        card = page.locator('[data-workstation="AIXFTA01"]')
        expect(card.get_by_test_id("fta-status")).to_have_text("ok")
        # A shared LPAR: CPU is the share of its entitlement; iowait from vmstat, no steal.
        expect(card.get_by_text("CPU of entitlement 1")).to_be_visible()
        expect(card.get_by_test_id("fta-cpu")).to_have_text("41%")
        expect(card.get_by_test_id("fta-iowait-steal")).to_have_text("4% · —")
        expect(card.get_by_test_id("fta-memory-swap")).to_have_text("37.5% · 3%")
        expect(card.get_by_test_id("fta-stdlist-inodes")).to_have_text("9%")
        expect(card.get_by_test_id("fta-backlog")).to_have_text("0 · 0")
        expect(card.get_by_test_id("fta-latency")).to_have_text("2 ms · loss 0%")
        expect(card.locator('[data-port="netman"]')).to_have_text(
            f"netman {netman_port} does not connect"
        )
        expect(card.locator('[data-port="https"]')).to_have_text(f"https {https_port} connects")
        expect(card.get_by_test_id("fta-processes")).to_have_text(
            "netman upmailman upbatchman downjobman up"
        )
        expect(card.get_by_test_id("fta-file-systems").locator("tbody tr")).to_have_text(
            ["/opt75%"]
        )
        expect(card).to_contain_text("AIX 7.2 · agent 1.1.0")
        backend = database_url.split(":", 1)[0].split("+", 1)[0]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=ARTIFACTS / f"{backend}-11-fta-readings.png", full_page=True)
        assert page_errors == []
        browser.close()


def sign_in(page, url: str, key: str) -> None:
    page.goto(f"{url}/admin/")
    page.get_by_label("Admin API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="API keys").wait_for()


def run_aix_collector(
    home: Path, url: str, key: str, netman_port: int, https_port: int
) -> subprocess.CompletedProcess:
    """One run of agent/collect_metrics.sh on the AIX fakes: a shared LPAR whose TWS has
    batchman down, its master's netman port closed and its HTTPS port open."""
    key_file = home / "agent.key"
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    tws_home = home / "TWS"
    (tws_home / "stdlist").mkdir(parents=True)
    (tws_home / "localopts").write_text("thiscpu = AIXFTA01\n")
    (home / "fake-state").mkdir()
    environment = {
        "PATH": f"{FAKES / 'aix'}:{FAKES / 'common'}:{os.environ['PATH']}",
        "HOME": str(home),
        "LANG": "C",
        "FAKE_OS": "aix",
        "FAKE_STATE": str(home / "fake-state"),
        "FAKE_TWS_PROCESSES": "netman mailman jobman",
        "TWS_HOME": str(tws_home),
        "RESYNC_API_URL": url,
        "RESYNC_API_KEY_FILE": str(key_file),
        "RESYNC_STATE_DIR": str(home / "state"),
        "RESYNC_MASTER_HOST": "127.0.0.1",
        "RESYNC_MASTER_PORT": str(netman_port),
        "RESYNC_MASTER_HTTPS_PORT": str(https_port),
        "RESYNC_LATENCY_METHOD": "icmp",
        "RESYNC_PING_COUNT": "3",
        "RESYNC_SAMPLE_SECONDS": "1",
        "RESYNC_START_DELAY_MAX": "0",
    }
    return subprocess.run(
        ["sh", str(AGENT)], env=environment, capture_output=True, text=True, timeout=120
    )
