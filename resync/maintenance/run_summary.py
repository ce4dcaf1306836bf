"""What a finished maintenance run reports: each action's decision, who made it, when, and what ran.

Two views of the same rows, for the run's artifacts in the Prefect UI: a markdown summary (the
decisions in words, with the reviewer's comment, when they submitted and the flow run that
received the answer, then the findings in plain words and the analysis) and a table with one
short row per action, its cells kept short since Prefect shows a table's cells on one line.
"""

from collections.abc import Mapping
from datetime import datetime

from resync.db.models import MaintenanceActionExecution, MaintenanceReview
from resync.maintenance.actions import action_title
from resync.maintenance.report import counted, findings_markdown
from resync.maintenance.review_sheet import finding_section
from resync.maintenance.store import ActionDecisions
from resync.maintenance.types import Finding, ProposedAction

DECISION_WORDS = {"approved": "approved", "rejected": "rejected", "deferred": "cannot decide"}
SOURCE_WORDS = {"auto_approved": "auto-approved", "timeout_policy": "timeout policy"}


def decided_by(review: MaintenanceReview | None) -> str:
    """The reviewer's name, or the policy that decided."""
    if review is None:
        return ""
    return review.decided_by or SOURCE_WORDS.get(review.source, review.source)


def outcome(execution: MaintenanceActionExecution | None) -> str:
    """What running the action gave, in a few words."""
    if execution is None:
        return "not run"
    if execution.finished_at is None:
        return "started; no outcome (its process died)"
    if execution.exit_code is not None:
        return f"exit {execution.exit_code}"
    # A dry run, a refused action or a timeout: the output's first line says which.
    first_line = (execution.output or "").split("\n", 1)[0]
    return "dry run" if first_line.startswith("dry run") else first_line


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _when(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _flow_run_link(review: MaintenanceReview) -> str:
    short = str(review.flow_run_id)[:8]
    # Relative to the artifact's page (/artifacts/artifact/<id>) in the Prefect UI.
    return f"[{short}](../../runs/flow-run/{review.flow_run_id})"


def decision_line(finding: Finding, action: ProposedAction, decisions: ActionDecisions) -> str:
    """One action's decision in words: what, decided how and by whom, when, the outcome."""
    review = decisions.reviews.get(action.action_id)
    what = f"**{finding.workstation}: {action_title(action)}**"
    if review is None:
        return f"- {what}: not decided"
    if review.source == "auto_approved":
        how = "auto-approved (the review policy lets it run without a person)"
    elif review.source == "timeout_policy":
        how = "rejected: nobody answered in time (timeout policy)"
    else:
        how = f"{DECISION_WORDS[review.decision]} by {review.decided_by}"
    line = f"- {what}: {how}"
    if review.submitted_at is not None:
        line += f", submitted {review.submitted_at:%Y-%m-%d %H:%M:%S} UTC"
    if review.flow_run_id is not None:
        line += f" to flow run {_flow_run_link(review)}"
    line += f"; {outcome(decisions.executions.get(action.action_id))}."
    if review.comment:
        line += f" “{' '.join(review.comment.split())}”"
    return line


def summary_markdown(
    findings: list[Finding],
    insight: Mapping[str, str],
    decisions: ActionDecisions,
    horizon_days: int,
) -> str:
    """The run's summary: the decisions first, then the findings and the full analysis."""
    actions = [(finding, action) for finding in findings for action in finding.actions]
    lines = [
        f"# Predictive maintenance: {counted(len(findings), 'predicted problem')}, "
        f"{counted(len(actions), 'action')}",
        "",
    ]
    if actions:
        lines += ["## Decisions", ""]
        lines += [decision_line(finding, action, decisions) for finding, action in actions]
        lines.append("")
    if findings:
        lines += ["## What will fail", ""]
        for finding in findings:
            lines += finding_section(finding, lambda action: "Proposed", horizon_days)
    dumped = [finding.model_dump(mode="json") for finding in findings]
    lines += ["## The analysis in full", "", findings_markdown(dumped, insight)]
    return "\n".join(lines)


def summary_rows(findings: list[Finding], decisions: ActionDecisions) -> list[dict[str, str]]:
    """One short row per proposed action: FTA, action, decision, by, submitted, flow run,
    outcome."""
    rows = []
    for finding in findings:
        for action in finding.actions:
            review = decisions.reviews.get(action.action_id)
            received_by = review.flow_run_id if review else None
            rows.append(
                {
                    "FTA": finding.workstation,
                    "action": action_title(action),
                    "decision": DECISION_WORDS[review.decision] if review else "pending",
                    "decided by": decided_by(review),
                    "submitted (UTC)": _when(review.submitted_at if review else None),
                    "flow run": str(received_by)[:8] if received_by else "",
                    "outcome": _short(outcome(decisions.executions.get(action.action_id))),
                }
            )
    return rows
