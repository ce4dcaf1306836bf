"""The human review in the Prefect UI: a form with one approve/reject field per proposed action.

The flow pauses with `pause_flow_run(wait_for_input=<form>)`; the pause's description shows the
evidence. Nobody answering in time rejects every action (the timeout policy). A flow run that
died while paused is marked crashed by the run that continues its work, which uses an answer
already submitted to it or asks again.
"""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pydantic
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.client.orchestration import get_client
from prefect.exceptions import FlowPauseTimeout, ObjectNotFound
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from prefect.input.actions import read_flow_run_input
from prefect.input.run_input import keyset_from_paused_state
from prefect.runtime import flow_run
from prefect.states import Crashed, Paused, Running

from resync.maintenance.report import KIND_NAMES, findings_markdown
from resync.settings import Settings

REVIEW_PAUSE_KEY = "maintenance-review"
APPROVE, REJECT = "approve", "reject"


def _proposed(findings: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(finding, action) for finding in findings for action in finding["actions"]]


def review_form(findings: list[dict[str, Any]]) -> type[RunInput]:
    """A RunInput with one approve/reject field per action id (default reject), name, comment."""
    fields: dict[str, Any] = {
        action["action_id"]: (
            Literal["approve", "reject"],
            pydantic.Field(
                default=REJECT,
                title=f"{finding['workstation']} · {KIND_NAMES[finding['kind']]} · "
                f"{action['command']}",
                description=action["description"],
            ),
        )
        for finding, action in _proposed(findings)
    }
    fields["reviewer"] = (
        str,
        pydantic.Field(min_length=1, max_length=120, title="Your name (kept with the decision)"),
    )
    fields["comment"] = (str, pydantic.Field(default="", max_length=2000, title="Comment"))
    return pydantic.create_model("MaintenanceReview", __base__=RunInput, **fields)


def answer_from_form(values: dict[str, Any], findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The graph's resume value from the submitted form."""
    return {
        "approved": [
            a["action_id"] for _, a in _proposed(findings) if values.get(a["action_id"]) == APPROVE
        ],
        "decided_by": values["reviewer"],
        "comment": values.get("comment") or None,
        "source": "reviewer",
    }


def timeout_answer() -> dict[str, Any]:
    """The safe policy when nobody answered in time: every action rejected."""
    return {"approved": [], "decided_by": None, "comment": None, "source": "timeout_policy"}


def review_description(
    findings: list[dict[str, Any]], insight: dict[str, str], links: list[str], deadline: datetime
) -> str:
    """The pause's markdown: the briefing, the evidence, links, and what to do by when."""
    return "\n\n".join(
        [
            f"# Predictive maintenance: {len(_proposed(findings))} actions to review",
            findings_markdown(findings, insight),
            "\n".join(f"- {link}" for link in links),
            f"Approve or reject each action. Anything not approved is rejected; with no answer "
            f"by {deadline:%Y-%m-%d %H:%M} UTC every action is rejected.",
        ]
    )


def request_review(
    findings: list[dict[str, Any]], insight: dict[str, str], links: list[str], settings: Settings
) -> dict[str, Any]:
    """Pause this flow run for the reviewer's answer; on timeout apply the reject policy."""
    timeout = settings.maintenance_review_timeout_seconds
    deadline = datetime.now(UTC) + timedelta(seconds=timeout)
    form = review_form(findings).with_initial_data(
        description=review_description(findings, insight, links, deadline)
    )
    try:
        answer = pause_flow_run(
            wait_for_input=form,
            timeout=timeout,
            poll_interval=settings.maintenance_review_poll_interval_seconds,
            key=REVIEW_PAUSE_KEY,
        )
    except FlowPauseTimeout:
        get_run_logger().warning("no review within %d s: every action is rejected", timeout)
        with get_client(sync_client=True) as client:
            client.set_flow_run_state(
                flow_run.id, Running(message="review timed out: actions rejected"), force=True
            )
        return timeout_answer()
    return answer_from_form(answer.model_dump(), findings)


@task(cache_policy=NONE)
def release_abandoned_flow_run(previous: uuid.UUID) -> dict[str, Any] | None:
    """Mark the flow run whose process died as crashed; return a review form submitted to it."""
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
    keyset = keyset_from_paused_state(Paused(pause_key=REVIEW_PAUSE_KEY))
    submitted = read_flow_run_input(keyset["response"], flow_run_id=previous)
    if submitted:
        get_run_logger().info("using the review already submitted to flow run %s", previous)
    return submitted
