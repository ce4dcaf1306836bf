"""The maintenance review as a reviewer does it: Prefect's UI in Debian's chromium at 1400 px.

A real predictive-maintenance run pauses for its review on the session's Prefect server; the
paused run's page is opened through Prefect's own UI, the Resume form read, refused empty,
its link to the review sheet followed, then answered; the finished run's artifacts are read at
the same width. Screenshots go to test-artifacts/review-page/.
"""

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId
from sqlalchemy import select

from dashboards.reports.pdf import CHROMIUM_ARGS
from resync.db.engine import session_scope
from resync.db.models import MaintenanceReview, utcnow
from resync.settings import get_settings
from tests.dashboards.test_admin_panel import CHROMIUM
from tests.dashboards.test_links import chromium  # noqa: F401 (the browser tier's fixture)
from tests.support.live_api import PROJECT_ROOT
from tests.support.maintenance_estate import REVIEWED_ESTATE, load_estate
from tests.support.maintenance_flow_process import FlowThread
from tests.support.maintenance_prefect import wait_for_paused_run
from tests.support.maintenance_prefect_ui import prefect_ui

ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "review-page"
VIEWPORT = {"width": 1400, "height": 900}
# A page of Prefect's UI can take seconds to render on a busy two-core machine.
LOADED = 30_000


@pytest.fixture
def ui(prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS", "1")
    get_settings.cache_clear()
    with prefect_ui(tmp_path / "prefect-ui.log") as url:
        yield url


@pytest.mark.usefixtures("chromium")
def test_a_reviewer_reads_the_evidence_and_answers_in_the_prefect_ui(
    ui: str, database_url: str
) -> None:
    from playwright.sync_api import expect, sync_playwright

    load_estate(REVIEWED_ESTATE)
    flow = FlowThread()
    flow.start()
    paused = wait_for_paused_run()
    shots = ARTIFACTS / database_url.split(":", 1)[0].split("+", 1)[0]
    shots.mkdir(parents=True, exist_ok=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.goto(f"{ui}/runs/flow-run/{paused.id}")
        page.get_by_role("button", name="Resume").first.click()
        form = page.locator(".p-modal__card")
        expect(form.get_by_text("Decide by")).to_be_visible(timeout=LOADED)
        page.screenshot(path=shots / "resume-form.png")

        # The description is in view, not shrunk away by the fields below it.
        assert form.locator("article.markdown-renderer").first.bounding_box()["height"] > 60
        # Only the action needing a person is asked; it and the name are required.
        labels = form.locator(".p-label__label").all_inner_texts()
        assert labels == [
            "FTA001: grow the file system",
            "Your name (kept with the decisions)",
            "Comment (Optional)",
        ]
        expect(form.get_by_text("Why: the disk holding TWS fills up around")).to_be_visible()
        expect(form.get_by_text("1 other action auto-approved")).to_be_visible()
        form.get_by_role("button", name="Submit").click()
        expect(form.get_by_text("is a required property").first).to_be_visible()
        page.screenshot(path=shots / "resume-form-refused-empty.png")
        assert wait_for_paused_run().id == paused.id

        with context.expect_page() as opened:
            form.get_by_role("link", name="Evidence and each action's risk", exact=True).click()
        sheet = opened.value
        heading = sheet.get_by_role("heading", name="Review needed: 1 action on FTA001")
        expect(heading).to_be_visible(timeout=LOADED)
        expect(sheet.get_by_text("You decide: grow the file system.")).to_be_visible()
        sheet.screenshot(path=shots / "review-sheet.png", full_page=True)
        sheet.close()

        # Prefect's select opens from the keyboard; its options are a listbox.
        form.locator(".p-select-button__control").first.click()
        page.keyboard.press("ArrowDown")
        page.get_by_role("listbox").get_by_text("cannot decide", exact=True).click()
        form.locator("textarea").nth(0).fill("Dana (night shift)")
        form.locator("textarea").nth(1).fill("the storage team decides in the morning")
        clicked_at = utcnow()
        form.get_by_role("button", name="Submit").click()
        result = flow.join_result()

        with session_scope() as session:
            stored = session.scalars(select(MaintenanceReview))
            reviews = {review.action_id.split("-")[0]: review for review in stored}
        artifact_pages = _artifact_pages(paused.id)
        page.goto(f"{ui}/artifacts/artifact/{artifact_pages['maintenance-actions']}")
        table = page.locator("table").first
        expect(table.get_by_text("cannot decide")).to_be_visible(timeout=LOADED)
        page.screenshot(path=shots / "actions-table.png")
        # Every column in view at 1400 px: the table does not scroll sideways.
        assert table.evaluate("t => t.parentElement.scrollWidth <= t.parentElement.clientWidth")
        page.goto(f"{ui}/artifacts/artifact/{artifact_pages['maintenance-findings']}")
        expect(page.get_by_text("Answered by Dana (night shift)")).to_be_visible(timeout=LOADED)
        page.screenshot(path=shots / "findings-summary.png", full_page=True)
        with context.expect_page() as opened:
            page.get_by_role("link", name=str(paused.id)[:8]).click()
        expect(opened.value).to_have_url(f"{ui}/runs/flow-run/{paused.id}")
        browser.close()

    assert (result["approved"], result["executed"]) == (1, 1)
    deferred, auto = reviews["extend_filesystem"], reviews["clean_stdlist"]
    assert (deferred.decision, deferred.source, deferred.decided_by) == (
        "deferred",
        "reviewer",
        "Dana (night shift)",
    )
    assert deferred.comment == "the storage team decides in the morning"
    assert deferred.flow_run_id == paused.id
    assert clicked_at <= deferred.submitted_at <= deferred.decided_at
    assert (auto.decision, auto.source) == ("approved", "auto_approved")


def _artifact_pages(flow_run_id: uuid.UUID) -> dict[str, uuid.UUID]:
    """The ids of the flow run's artifacts, by key."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {artifact.key: artifact.id for artifact in artifacts}
