"""The admin panel in a real browser: Debian's chromium, driven by Playwright, on the live API."""

import os
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.admin_panel import CONTENT_SECURITY_POLICY, NOT_BUILT, PANEL_DIRECTORY, mount_admin_panel
from dashboards.reports.pdf import CHROMIUM_ARGS
from resync.keys.format import generate_key
from tests.support.live_api import PROJECT_ROOT, LiveApi
from tests.support.payloads import payload

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "admin-panel"
ADMIN_API = "/api/v1/admin/api-keys"
# Chromium logs every 4xx fetch; the panel's sign-in and sign-out checks cause them on purpose.
EXPECTED_CONSOLE = re.compile(r"Failed to load resource: the server responded with a status of 401")
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(event.violatedDirective + ' ' + event.blockedURI);
});
"""


def require(condition: bool, what: str) -> None:
    """Skip without the browser set-up locally; in CI (CI set) a missing piece is a failure."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{what}; the browser test cannot run (CI is set, so this is a failure)")
    pytest.skip(what)


@pytest.fixture
def panel_api(database_url: str) -> Iterator[LiveApi]:
    """The API in its own uvicorn process (the panel needs no Prefect server)."""
    api = LiveApi(database_url)
    api.start()
    yield api
    api.stop()


def test_panel_is_served_under_a_strict_csp(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text("<!doctype html><title>panel</title>")
    app = FastAPI()
    mount_admin_panel(app, tmp_path)
    with TestClient(app) as client:
        response = client.get("/admin/")
        assert response.status_code == 200
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["Cache-Control"] == "no-cache"
        assert "unsafe" not in CONTENT_SECURITY_POLICY and "http" not in CONTENT_SECURITY_POLICY
        redirect = client.get("/admin", follow_redirects=False)
        assert (redirect.status_code, redirect.headers["location"]) == (307, "/admin/")
    unbuilt = FastAPI()
    mount_admin_panel(unbuilt, tmp_path / "missing")
    with TestClient(unbuilt) as client:
        response = client.get("/admin/")
        assert (response.status_code, response.text) == (503, NOT_BUILT)


@pytest.mark.browser
def test_the_panel_end_to_end(panel_api: LiveApi, database_url: str) -> None:
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[dev]')")
    require(
        CHROMIUM.is_file(), f"Debian's chromium is missing at {CHROMIUM} (make setup installs it)"
    )
    require(
        (PANEL_DIRECTORY / "index.html").is_file(),
        f"the admin panel is not built in {PANEL_DIRECTORY} (make setup builds it)",
    )
    backend = database_url.split(":", 1)[0].split("+", 1)[0]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    admin_id, admin_key = panel_api.create_key(["admin:*"])
    admin_headers = {"X-API-Key": admin_key}
    url = panel_api.url

    header = httpx.get(f"{url}/admin/", timeout=10).headers["content-security-policy"]
    assert header == CONTENT_SECURITY_POLICY

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1360, "height": 900})
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        console_errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                message.type == "error"
                and not EXPECTED_CONSOLE.search(message.text)
                and console_errors.append(message.text)
            ),
        )
        page.on("pageerror", lambda error: console_errors.append(str(error)))

        def shot(name: str) -> None:
            page.screenshot(
                path=ARTIFACTS / f"{backend}-{name}.png", full_page=True, animations="disabled"
            )

        def stat(label: str) -> Callable[[], str]:
            return lambda: page.get_by_test_id(f"stat-{label}-value").inner_text()

        # Sign-in: a well-formed but unknown key is refused with the API's reason.
        page.goto(f"{url}/admin/")
        key_field = page.get_by_label("Admin API key")
        expect(key_field).to_be_focused()
        shot("01-login")
        key_field.fill(generate_key())
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("alert")).to_have_text("Invalid API key: unknown key")
        shot("02-login-refused")
        key_field.fill(admin_key)
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_role("heading", name="API keys")).to_be_visible()
        assert page.evaluate("sessionStorage.getItem('resync.adminKey')") == admin_key
        assert page.evaluate("localStorage.length") == 0
        expect(page.get_by_test_id("stat-total-value")).to_have_text("1")
        shot("03-dashboard")

        # Create: validation first, then the key shown once and copied.
        page.get_by_role("button", name="New key").click()
        expect(page.get_by_label("Name", exact=True)).to_be_focused()
        page.get_by_role("button", name="Create key").click()
        expect(page.get_by_text("Give the key a name, e.g. the FTA it is for.")).to_be_visible()
        expect(page.get_by_text("Pick at least one scope.")).to_be_visible()
        shot("04-create-validation")
        page.get_by_label("Name", exact=True).fill("fta-ws-prod-01")
        page.get_by_role("checkbox", name="metrics:write").check()
        page.get_by_label("Expires").select_option(label="30 days")
        page.get_by_role("button", name="Create key").click()
        shown = page.get_by_test_id("new-key")
        expect(shown).to_have_text(re.compile(r"^rsk_[0-9A-Za-z]{49}$"))
        fta_key = shown.inner_text()
        page.get_by_role("button", name="Copy to clipboard").click()
        expect(page.get_by_test_id("copy-status")).to_have_text("Copied to the clipboard.")
        assert page.evaluate("navigator.clipboard.readText()") == fta_key
        shot("05-key-created")
        page.get_by_role("button", name="I have stored it").click()
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(page.get_by_test_id("stat-total-value")).to_have_text("2")
        page.reload()
        expect(page.get_by_role("heading", name="API keys")).to_be_visible()
        assert fta_key not in page.content()

        # Usage reaches the card and the stats after a refresh.
        for seconds in range(3):
            sample = payload(at=datetime.now(UTC) - timedelta(minutes=10, seconds=seconds))
            response = httpx.post(
                f"{url}/api/v1/metrics/workstation",
                json=sample,
                headers={"X-API-Key": fta_key},
                timeout=10,
            )
            assert response.status_code == 202
        keys = httpx.get(f"{url}{ADMIN_API}", params={"name": "fta"}, headers=admin_headers).json()
        fta_id = keys["data"][0]["id"]
        fta_card = page.locator(f'[data-key-id="{fta_id}"]')
        refresh_until(page, lambda: fta_card.get_by_test_id("key-usage").inner_text() == "3")
        refresh_until(page, lambda: int(stat("requests-24h")()) >= 3)

        # Rotate: a replacement shown once; the old key keeps working during its grace.
        fta_card.get_by_role("button", name="Rotate").click()
        page.get_by_role("button", name="Rotate key").click()
        expect(page.get_by_test_id("new-key")).to_have_text(re.compile(r"^rsk_"))
        replacement = page.get_by_test_id("new-key").inner_text()
        assert replacement != fta_key
        page.get_by_role("button", name="I have stored it").click()
        expect(fta_card.get_by_test_id("key-status")).to_have_text("active · grace")
        expect(page.get_by_test_id("key-card")).to_have_count(3)
        shot("06-rotated")
        for seconds, key in enumerate((fta_key, replacement)):
            sample = payload(at=datetime.now(UTC) - timedelta(seconds=seconds))
            response = httpx.post(
                f"{url}/api/v1/metrics/workstation",
                json=sample,
                headers={"X-API-Key": key},
                timeout=10,
            )
            assert response.status_code == 202

        # Revoke with a reason (required), then find it among the revoked.
        fta_card.get_by_role("button", name="Revoke").click()
        page.get_by_role("button", name="Revoke key").click()
        expect(page.get_by_role("alert")).to_have_text(
            "Say why the key is revoked; the reason is kept in its audit trail."
        )
        page.get_by_label("Reason").fill("host retired")
        shot("07-revoke")
        page.get_by_role("button", name="Revoke key").click()
        expect(fta_card).to_have_count(0)
        expect(page.get_by_test_id("stat-revoked-value")).to_have_text("1")
        expect(page.get_by_test_id("stat-active-value")).to_have_text("2")
        page.get_by_label("Show revoked").check()
        expect(fta_card.get_by_test_id("key-status")).to_have_text("revoked")
        fta_card.get_by_role("button", name="Details").click()
        expect(fta_card.get_by_test_id("revoked-reason")).to_have_text("host retired")
        shot("08-revoked")

        # The audit trail, closed from the keyboard with focus back on its opener.
        events_button = fta_card.get_by_role("button", name="Events")
        events_button.click()
        table = page.get_by_test_id("events-table")
        for text in ("Created", "First use from a new address", "Rotated", "Revoked"):
            expect(table).to_contain_text(text)
        shot("09-events")
        page.keyboard.press("Escape")
        expect(page.get_by_role("dialog")).to_have_count(0)
        expect(events_button).to_be_focused()

        # A key revoked behind the panel's back: the next call returns to the login screen.
        panel_api.revoke_key(admin_id)
        refresh_until(page, lambda: page.get_by_label("Admin API key").count() == 1, seconds=8)
        expect(page.get_by_role("alert")).to_have_text(
            "Signed out: Invalid API key: the key has been revoked"
        )
        assert page.evaluate("sessionStorage.getItem('resync.adminKey')") is None
        shot("10-signed-out")

        assert page.evaluate("window.__cspViolations") == []
        assert console_errors == []
        # The policy is really enforced: an injected inline script does not run.
        page.evaluate("""() => { const s = document.createElement('script');
            s.textContent = 'window.__inlineRan = true'; document.body.appendChild(s); }""")
        assert page.evaluate("window.__inlineRan === undefined")
        expect_violation = page.evaluate("window.__cspViolations")
        assert expect_violation and expect_violation[0].startswith("script-src")

        reduced = browser.new_context(reduced_motion="reduce").new_page()
        reduced.goto(f"{url}/admin/")
        animation = reduced.evaluate(
            "getComputedStyle(document.querySelector('.grid-backdrop')).animationName"
        )
        assert animation == "none"
        browser.close()


def refresh_until(page, condition: Callable[[], bool], seconds: float = 8) -> None:
    """Press Refresh until `condition` holds (usage is written in batches every ≈ 2 s)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        buttons = page.get_by_role("button", name="Refresh")
        if buttons.count():
            buttons.click()
        page.wait_for_timeout(300)
