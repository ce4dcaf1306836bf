"""The human review in the Prefect UI: a form asking only the actions that need a person.

Before pausing, the flow run publishes the review sheet (a markdown artifact: the evidence in
plain words, each action's risk, then the statistics); the form links it, and each asked field
says why (what fails where, when, how sure), the command and its risk level. Each asked action
is a required choice, with no default: approve, reject or cannot decide (not run). The actions
nobody is asked run by the review policy. Nobody answering in time rejects every asked action
(the timeout policy). A flow run that died while paused is marked crashed by the run that
continues its work, which uses an answer already submitted to it or asks again.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pydantic
from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.objects import FlowRunInput
from prefect.exceptions import FlowPauseTimeout, ObjectNotFound
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.input.run_input import keyset_from_paused_state
from prefect.runtime import flow_run
from prefect.states import Crashed, Paused, Running

from resync.ingest.payload import FREE_TEXT_PATTERN
from resync.maintenance.actions import action_title
from resync.maintenance.review_sheet import field_description, form_description, review_sheet
from resync.maintenance.types import Finding, ReviewAnswer
from resync.settings import Settings

REVIEW_PAUSE_KEY = "maintenance-review"
CHOICES = {"approve": "approved", "reject": "rejected", "cannot decide": "deferred"}
Choice = Literal["approve", "reject", "cannot decide"]


def _findings(request: dict[str, Any]) -> list[Finding]:
    return [Finding.model_validate(finding) for finding in request["findings"]]


def review_form(request: dict[str, Any], sheet_link: str | None = None) -> type[RunInput]:
    """A RunInput with a required choice per asked action, the reviewer's name and a comment.

    `request` is the graph's interrupt: findings, insight and the ids of the asked actions;
    `sheet_link` the review sheet, linked again beside the name, which stays in view.
    """
    asked = set(request["asked"])
    fields: dict[str, Any] = {
        action.action_id: (
            Choice,
            pydantic.Field(
                title=f"{finding.workstation}: {action_title(action)}",
                description=field_description(finding, action),
            ),
        )
        for finding in _findings(request)
        for action in finding.actions
        if action.action_id in asked
    }
    sheet = (
        f"Read [the evidence and each action's risk]({sheet_link}) first." if sheet_link else None
    )
    fields["reviewer"] = (
        str,
        pydantic.Field(
            min_length=1,
            max_length=120,
            # NUL, which the database cannot store, is refused by the form, not by the store.
            pattern=FREE_TEXT_PATTERN,
            title="Your name (kept with the decisions)",
            description=sheet,
        ),
    )
    fields["comment"] = (
        str,
        pydantic.Field(default="", max_length=2000, pattern=FREE_TEXT_PATTERN, title="Comment"),
    )
    return pydantic.create_model("MaintenanceReview", __base__=RunInput, **fields)


def answer_from_form(request: dict[str, Any], submitted: dict[str, Any]) -> dict[str, Any]:
    """The graph's resume value from a submitted form: `values` (validated against the form
    again), `submitted_at` and the `flow_run_id` that received it."""
    values = review_form(request).model_validate(submitted["values"]).model_dump()
    answer = ReviewAnswer(
        decisions={action_id: CHOICES[values[action_id]] for action_id in request["asked"]},
        source="reviewer",
        decided_by=values["reviewer"],
        comment=values["comment"] or None,
        submitted_at=submitted["submitted_at"],
        flow_run_id=submitted["flow_run_id"],
    )
    return answer.model_dump(mode="json")


def timeout_answer(request: dict[str, Any], flow_run_id: uuid.UUID) -> dict[str, Any]:
    """The safe policy when nobody answered in time: every asked action rejected."""
    answer = ReviewAnswer(
        decisions=dict.fromkeys(request["asked"], "rejected"),
        source="timeout_policy",
        flow_run_id=flow_run_id,
    )
    return answer.model_dump(mode="json")


@task(cache_policy=NONE)
def publish_review_sheet(
    request: dict[str, Any], links: list[str], deadline: datetime, horizon_days: int
) -> uuid.UUID:
    """The review sheet as a markdown artifact of this flow run; its id."""
    findings = _findings(request)
    sheet = review_sheet(
        findings, request["insight"], request["asked"], links, deadline, horizon_days
    )
    return create_markdown_artifact(
        key=REVIEW_PAUSE_KEY,
        markdown=sheet,
        description=f"What to review by {deadline:%Y-%m-%d %H:%M} UTC, and why",
    )


def _submitted_form(client: SyncPrefectClient, flow_run_id: uuid.UUID) -> FlowRunInput | None:
    keyset = keyset_from_paused_state(Paused(pause_key=REVIEW_PAUSE_KEY))
    found = client.filter_flow_run_input(flow_run_id, keyset["response"], 1, set())
    return found[0] if found else None


def request_review(request: dict[str, Any], links: list[str], settings: Settings) -> dict[str, Any]:
    """Pause this flow run for the reviewer's answer; on timeout apply the reject policy."""
    timeout = settings.maintenance_review_timeout_seconds
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    sheet = publish_review_sheet(request, links, deadline, settings.maintenance_horizon_days)
    # Relative to the run's page (/runs/flow-run/<id>), so it opens wherever the UI is served.
    sheet_link = f"../../artifacts/artifact/{sheet}"
    description = form_description(_findings(request), request["asked"], sheet_link, deadline)
    form = review_form(request, sheet_link).with_initial_data(description=description)
    current = uuid.UUID(flow_run.id)
    try:
        answer = pause_flow_run(
            wait_for_input=form,
            timeout=timeout,
            poll_interval=settings.maintenance_review_poll_interval_seconds,
            key=REVIEW_PAUSE_KEY,
        )
    except FlowPauseTimeout:
        get_run_logger().warning("no review within %d s: every asked action is rejected", timeout)
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(
                current, Running(message="review timed out: asked actions rejected"), force=True
            )
        return timeout_answer(request, current)
    with get_client(sync_client=True) as client:
        submitted = _submitted_form(client, current)
    submitted_at = submitted.created if submitted is not None else None
    return answer_from_form(
        request,
        {"values": answer.model_dump(), "submitted_at": submitted_at, "flow_run_id": current},
    )


@task(cache_policy=NONE)
def release_abandoned_flow_run(previous: uuid.UUID) -> dict[str, Any] | None:
    """Mark the flow run whose process died as crashed; return a review form submitted to it
    (`values`, `submitted_at`, `flow_run_id`)."""
    with get_client(sync_client=True) as client:
        try:
            state = client.read_flow_run(previous).state
        except ObjectNotFound:
            get_run_logger().warning("flow run %s no longer exists in Prefect", previous)
            return None
        if state is None or not state.is_final():
            client.set_flow_run_state(
                previous,
                Crashed(message=f"its process died; flow run {flow_run.id} continues its work"),
                force=True,
            )
        submitted = _submitted_form(client, previous)
    if submitted is None:
        return None
    get_run_logger().info("using the review already submitted to flow run %s", previous)
    return {
        "values": submitted.decoded_value,
        "submitted_at": submitted.created,
        "flow_run_id": previous,
    }
