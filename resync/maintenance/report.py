"""What a person reads about a maintenance run: the briefing, the evidence and the actions.

The briefing is written by the optional LLM analyst (`resync.analyst`) or, without one, by
`deterministic_briefing`; the markdown is the review's description in the Prefect UI and the
run's summary artifact.
"""

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

from resync.maintenance.actions import build_argv
from resync.maintenance.execution import task_string
from resync.maintenance.types import ProposedAction

BRIEFING_TASK = (
    "Write a short briefing (at most 120 words) for the operator who must approve or reject "
    "the proposed preventive actions: which FTAs are expected to fail, when, how sure the "
    "analysis is, and what each proposed action would prevent."
)
KIND_NAMES = {
    "disk_filling": "disk filling",
    "memory_leak": "memory leak",
    "degrading_link": "degrading link",
    "message_file_filling": "message file filling",
    "job_slowdown": "job slowdown",
    "job_failures": "job failures",
}


class MaintenanceBriefing(BaseModel):
    """The paragraph shown above the evidence."""

    summary: str = Field(description="The briefing, plain text, at most 120 words")


def briefing_data(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """The findings as the analyst sees them (no raw series)."""
    return {
        "findings": [
            {
                "workstation": finding["workstation"],
                "problem": KIND_NAMES[finding["kind"]],
                "resource": finding["resource"],
                "predicted_failure_date": finding["predicted_failure_date"],
                "confidence": round(finding["confidence"], 2),
                "evidence_summary": finding["evidence_summary"],
                "proposed_actions": [action["description"] for action in finding["actions"]],
            }
            for finding in findings
        ]
    }


def counted(count: int, noun: str) -> str:
    """A count with its noun, plural when it is not one: 1 action, 2 actions."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def deterministic_briefing(data: Mapping[str, Any]) -> MaintenanceBriefing:
    """The briefing from the figures alone: counts and the soonest expected failure."""
    findings = data["findings"]
    if not findings:
        return MaintenanceBriefing(summary="No FTA is expected to fail within the horizon.")
    dated = [item for item in findings if item["predicted_failure_date"]]
    actions = sum(len(item["proposed_actions"]) for item in findings)
    workstations = len({item["workstation"] for item in findings})
    text = (
        f"{counted(len(findings), 'predicted problem')} on {counted(workstations, 'FTA')}, "
        f"{counted(actions, 'action')} proposed."
    )
    if dated:
        soonest = min(dated, key=lambda item: item["predicted_failure_date"])
        text += (
            f" Soonest: {soonest['problem']} on {soonest['workstation']} "
            f"({soonest['resource']}) around {soonest['predicted_failure_date']}, "
            f"confidence {soonest['confidence']:.0%}."
        )
    return MaintenanceBriefing(summary=text)


def _action_line(action: dict[str, Any]) -> str:
    argv = task_string(build_argv(ProposedAction.model_validate(action)))
    approval = "auto-approvable" if action["auto_approvable"] else "needs a reviewer"
    return f"- `{action['action_id']}`: {action['description']} — `{argv}` ({approval})"


def _statistics(finding: dict[str, Any]) -> list[str]:
    lines = []
    for item in finding["evidence"].get("degradations", []):
        figures = ", ".join(
            f"{name} {value:.3g}" if isinstance(value, float) else f"{name} {value}"
            for name, value in item.get("detail", {}).items()
            if isinstance(value, int | float | str)
        )
        lines.append(
            f"- {item['resource']}: {item['statistic']} = {item['value']:.3g} "
            f"({item['window']['start'][:10]} → {item['window']['end'][:10]}; {figures})"
        )
    return lines


def findings_markdown(findings: list[dict[str, Any]], insight: Mapping[str, str]) -> str:
    """The briefing, a table of the findings, and each finding's statistics and actions."""
    byline = insight.get("analyst_note") or f"Briefing by {insight['analyst']}."
    lines = [insight["insight"], "", f"_{byline}_", ""]
    if not findings:
        return "\n".join(lines)
    # Four narrow columns: the review form is a narrow modal in the Prefect UI.
    lines += ["| FTA | problem | predicted failure | confidence |", "|---|---|---|---|"]
    lines += [
        f"| {f['workstation']} | {KIND_NAMES[f['kind']]} | {f['predicted_failure_date'] or '—'} "
        f"| {f['confidence']:.0%} |"
        for f in findings
    ]
    for finding in findings:
        lines += [
            "",
            f"### {finding['workstation']}: {KIND_NAMES[finding['kind']]} ({finding['resource']})",
            "",
            finding["evidence_summary"],
            "",
            *_statistics(finding),
            *(_action_line(action) for action in finding["actions"]),
            *(
                f"- `{command}` not proposed: reviewers rejected it for this problem "
                "(learned policy; `resync learning revert` brings it back)"
                for command in finding["evidence"].get("withheld_actions", [])
            ),
            *(
                f"- `{command}` flagged: ran {record['ran']} times and helped {record['helped']} "
                "(seen in the FTAs' next samples); a reviewer decides it each time"
                for command, record in finding["evidence"].get("ineffective_actions", {}).items()
            ),
        ]
    return "\n".join(lines)
