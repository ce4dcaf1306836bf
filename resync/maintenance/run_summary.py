"""What a finished maintenance run reports: each action's decision, who made it, when, and what ran.

Two views of the same rows, for the run's artifacts in the Prefect UI: a markdown summary (the
answer once, with the reviewer, when they submitted, the flow run that received it and the
comment; then each action's decision and outcome, with the job it ran as, its return code,
joblog and effect; the findings in plain words and the analysis) and a table with one row per
action. Prefect shows a table's cells on one line, so its cells
are kept short enough for the artifact page at 1400 px; the full texts are in the markdown.
"""

from collections.abc import Mapping
from datetime import datetime

from resync.db.models import MaintenanceActionExecution, MaintenanceReview
from resync.maintenance.actions import action_title
from resync.maintenance.effects import effect_words
from resync.maintenance.report import counted, findings_markdown
from resync.maintenance.review_sheet import finding_section
from resync.maintenance.store import ActionDecisions
from resync.maintenance.types import Finding

DECISION_WORDS = {"approved": "approved", "rejected": "rejected", "deferred": "cannot decide"}
SOURCE_WORDS = {"auto_approved": "auto-approved", "timeout_policy": "timeout policy"}
NAME_CELL, OUTCOME_CELL = 20, 20


def decision_words(review: MaintenanceReview | None) -> str:
    """The decision as the summary says it: approved, cannot decide, auto-approved, …"""
    if review is None:
        return "pending"
    if review.source == "auto_approved":
        return "auto-approved"
    if review.source == "timeout_policy":
        return "rejected (no answer in time)"
    return DECISION_WORDS[review.decision]


def outcome(execution: MaintenanceActionExecution | None) -> str:
    """What running the action gave, in a few words (the audit row keeps the joblog)."""
    if execution is None:
        return "not run"
    if execution.finished_at is None:
        return "died while running"
    if execution.dry_run:
        return "dry run"
    status = execution.job_status
    if status is None:  # run before actions ran through the master: an exit code at most
        return "ended" if execution.exit_code is None else f"exit {execution.exit_code}"
    if status in ("refused", "unavailable", "timed_out", "lost"):
        return status.replace("_", " ")
    return f"{status} rc {execution.exit_code}" if execution.exit_code is not None else status


def job_lines(execution: MaintenanceActionExecution | None) -> list[str]:
    """The action's job for the summary: name, id, status and return code, effect, joblog."""
    if execution is None or execution.dry_run or execution.finished_at is None:
        return []
    lines = []
    if execution.job_name:
        lines.append(
            f"  - job `{execution.job_name}` (id `{execution.job_id or '?'}`): {outcome(execution)}"
        )
    effect = effect_words(
        execution.effect, execution.effect_metric, execution.effect_before, execution.effect_after
    )
    if effect:
        lines.append(f"  - effect: {effect}")
    if execution.output:
        joblog = [f"    {line}" for line in execution.output.splitlines()]
        lines += ["", "    ```", *joblog, "    ```"]
    return lines


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _flow_run_link(flow_run_id: object) -> str:
    # Relative to the artifact's page (/artifacts/artifact/<id>) in the Prefect UI.
    return f"[{str(flow_run_id)[:8]}](../../runs/flow-run/{flow_run_id})"


def answer_lines(reviews: list[MaintenanceReview]) -> list[str]:
    """Who answered the review, when, to which flow run, with what comment; or the timeout."""
    lines = []
    answers = {
        (r.decided_by, r.submitted_at, r.flow_run_id, r.comment)
        for r in reviews
        if r.source == "reviewer"
    }
    for reviewer, submitted_at, flow_run_id, comment in sorted(answers, key=str):
        line = f"Answered by **{reviewer}**"
        if submitted_at is not None:
            line += f", submitted {submitted_at:%Y-%m-%d %H:%M:%S} UTC"
        if flow_run_id is not None:
            line += f" to flow run {_flow_run_link(flow_run_id)}"
        lines.append(line + (f": “{' '.join(comment.split())}”" if comment else "."))
    for flow_run_id in {r.flow_run_id for r in reviews if r.source == "timeout_policy"}:
        lines.append(
            f"Nobody answered flow run {_flow_run_link(flow_run_id)} in time: the asked actions "
            "were rejected (timeout policy)."
        )
    return lines


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
        lines += ["## Decisions", "", *answer_lines(list(decisions.reviews.values())), ""]
        for finding, action in actions:
            review = decisions.reviews.get(action.action_id)
            execution = decisions.executions.get(action.action_id)
            lines.append(
                f"- **{finding.workstation}: {action_title(action)}**: "
                f"{decision_words(review)}; {outcome(execution)}."
            )
            lines += job_lines(execution)
        lines.append("")
    if findings:
        lines += ["## What will fail", ""]
        for finding in findings:
            lines += finding_section(finding, lambda action: "Proposed", horizon_days)
    dumped = [finding.model_dump(mode="json") for finding in findings]
    lines += ["## The analysis in full", "", findings_markdown(dumped, insight)]
    return "\n".join(lines)


def _submitted(moment: datetime | None) -> str:
    return "" if moment is None else f"{moment:%Y-%m-%d %H:%M}"


def _outcome_cell(execution: MaintenanceActionExecution | None) -> str:
    said = outcome(execution)
    if execution is None or execution.effect is None:
        return said
    return f"{said} · {execution.effect.replace('_', ' ')}"


def summary_rows(findings: list[Finding], decisions: ActionDecisions) -> list[dict[str, str]]:
    """One short row per proposed action: FTA, action, decision, by, submitted, outcome (the
    job's status and return code, and whether it helped)."""
    rows = []
    for finding in findings:
        for action in finding.actions:
            review = decisions.reviews.get(action.action_id)
            execution = decisions.executions.get(action.action_id)
            reviewer = "" if review is None or review.source != "reviewer" else review.decided_by
            rows.append(
                {
                    "FTA": finding.workstation,
                    "action": action_title(action),
                    "decision": decision_words(review),
                    "reviewer": _short(reviewer or "", NAME_CELL),
                    "submitted (UTC)": _submitted(review.submitted_at if review else None),
                    "outcome": _short(_outcome_cell(execution), OUTCOME_CELL),
                }
            )
    return rows
