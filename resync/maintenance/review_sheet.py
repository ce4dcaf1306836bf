"""What a reviewer reads first: each predicted failure and each proposed action in plain words.

For a paused review: the Resume form's texts (Prefect's form is a narrow box that shrinks its
description to nothing once the fields fill it, so the description is three lines and each asked
field says why it is asked, the command and the risk level) and the review sheet, a markdown
artifact of the paused flow run: for each finding when, how sure, where it stands now and what
happens if nothing is done, then each action, what it does, the command, its risk and whether
the reviewer decides it or it runs on its own. The briefing and the statistics follow
(`resync.maintenance.report.findings_markdown`). The run's summary reuses the finding sections.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime
from typing import Any

from resync.maintenance.actions import action_risk, action_risk_level, action_title, build_argv
from resync.maintenance.execution import task_string
from resync.maintenance.report import counted, findings_markdown
from resync.maintenance.types import Finding, Kind, ProposedAction

WHAT_FAILS: dict[Kind, Callable[[str], str]] = {
    "disk_filling": lambda resource: "the disk holding TWS fills up",
    "memory_leak": lambda resource: "its memory runs out",
    "degrading_link": lambda resource: (
        "its link to the master fails"
        + (" (latency)" if resource.startswith("latency") else " (packet loss)")
    ),
    "message_file_filling": lambda resource: f"{resource.removeprefix('message_file:')} fills up",
    "job_slowdown": lambda resource: f"job {resource.removeprefix('job:')} keeps slowing down",
    "job_failures": lambda resource: f"job {resource.removeprefix('job:')} fails more and more",
}
IF_NOTHING_IS_DONE: dict[Kind, str] = {
    "disk_filling": "TWS can no longer write job logs or its message files: jobs there fail",
    "memory_leak": "processes get killed or the host swaps: jobs there slow down, hang or fail",
    "degrading_link": "it stops getting new work and the master stops hearing about its jobs",
    "message_file_filling": "the TWS processes passing messages through the file stop: jobs "
    "are no longer started or reported",
    "job_slowdown": "it may miss its deadline and hold up the jobs that follow it",
    "job_failures": "each failure needs a rerun or a fix",
}
CHOICES_SENTENCE = (
    "For each action choose **approve** (it runs right after you submit), **reject**, or "
    "**cannot decide** (not run; unlike a rejection, not held against the action)."
)


def _day(value: date, year: bool = True) -> str:
    return f"{value:%a %d %b %Y}" if year else f"{value:%d %b}"


def _likelihood(confidence: float) -> str:
    return "very likely" if confidence >= 0.9 else "likely" if confidence >= 0.7 else "uncertain"


def _unit(resource: str) -> str:
    return " ms" if resource.endswith("_ms") else " %"


def headline(finding: Finding) -> str:
    """The finding in a line, e.g. FTA001: the disk holding TWS fills up around Thu 24 Dec 2026
    (a job problem has no date)."""
    what = f"{finding.workstation}: {WHAT_FAILS[finding.kind](finding.resource)}"
    if finding.predicted_failure_date is None:
        return what
    return f"{what} around {_day(finding.predicted_failure_date)}"


def _in_days(finding: Finding) -> str:
    days = finding.evidence.get("expected_days")
    if not isinstance(days, int | float):
        return ""
    return f"in about {counted(max(round(days), 0), 'day')}"


def when(finding: Finding) -> str:
    """The expected date with its likely range, or that a job problem is already under way."""
    if finding.predicted_failure_date is None:
        return "already under way"
    text = ", ".join(filter(None, [_day(finding.predicted_failure_date), _in_days(finding)]))
    earliest, latest = finding.evidence.get("earliest_date"), finding.evidence.get("latest_date")
    if earliest and latest:
        first, last = date.fromisoformat(earliest), date.fromisoformat(latest)
        text += f" (likely between {_day(first, year=False)} and {_day(last, year=False)})"
    elif earliest:
        text += f" (not before {_day(date.fromisoformat(earliest), year=False)})"
    return text


def how_sure(finding: Finding, horizon_days: int) -> str:
    """The confidence in words and figures, saying what it is the probability of."""
    word, share = _likelihood(finding.confidence), f"{finding.confidence:.0%}"
    if finding.predicted_failure_date is None:
        return f"{word}: {share} sure the trend is real, not chance"
    return f"{word}: {share} chance it happens within {horizon_days} days"


def _job_now(degradation: Mapping[str, Any]) -> str:
    detail, job = degradation["detail"], degradation["resource"].removeprefix("job:")
    if degradation["kind"] == "job_slowdown":
        return (
            f"job {job} takes {detail['recent_median_seconds']:.0f} s (median), was "
            f"{detail['baseline_median_seconds']:.0f} s"
        )
    return (
        f"job {job} failed {detail['recent_failures']} of its last {detail['recent_runs']} runs, "
        f"against {detail['baseline_failure_rate']:.0%} of runs before"
    )


def _now(finding: Finding) -> list[str]:
    evidence = finding.evidence
    if finding.kind in ("job_slowdown", "job_failures"):
        return [f"- **Now:** {_job_now(item)}" for item in evidence.get("degradations", [])]
    lines = []
    if {"peak_now", "threshold"} <= set(evidence):
        unit = _unit(finding.resource)
        lines.append(
            f"- **Now:** daily peak at {evidence['peak_now']:.0f}{unit}, failure level "
            f"{evidence['threshold']:g}{unit}"
        )
    jobs = evidence.get("jobs", [])
    lines += [f"- **Already felt:** {_job_now(job['degradation'])}" for job in jobs]
    return lines


def action_lines(action: ProposedAction, label: str) -> list[str]:
    """The action as a reviewer reads it: who decides (`label`), what it does, the command, the
    risk."""
    return [
        f"- **{label}: {action_title(action)}.** {action.description}.",
        f"  `{task_string(build_argv(action))}` on {action.arguments['workstation']}. "
        f"{action_risk(action)}.",
    ]


def finding_section(
    finding: Finding, label: Callable[[ProposedAction], str], horizon_days: int
) -> list[str]:
    """One finding in plain words, then its actions, each after its `label`."""
    lines = [
        f"### {headline(finding)}",
        "",
        f"- **When:** {when(finding)}",
        f"- **How sure:** {how_sure(finding, horizon_days)}",
    ]
    lines += _now(finding)
    lines += [f"- **If nothing is done:** {IF_NOTHING_IS_DONE[finding.kind]}", ""]
    if not finding.actions:
        return [*lines, "No action proposed: for a person to look into.", ""]
    lines += ["**What is proposed**", ""]
    for action in finding.actions:
        lines += action_lines(action, label(action))
    return [*lines, ""]


def _asked_findings(findings: list[Finding], asked: list[str]) -> list[Finding]:
    return [f for f in findings if any(action.action_id in asked for action in f.actions)]


def field_description(finding: Finding, action: ProposedAction) -> str:
    """Under an asked action's choice in the form, in two lines or so: why, the command, the
    risk level, and its record when it was flagged for not helping."""
    why = WHAT_FAILS[finding.kind](finding.resource)
    if finding.predicted_failure_date is not None:
        day = finding.predicted_failure_date
        why = ", ".join(filter(None, [f"{why} around {day:%a %d %b}", _in_days(finding)]))
    record = finding.evidence.get("ineffective_actions", {}).get(action.command)
    flag = (
        f" Flagged: ran {record['ran']} times before and helped {record['helped']}."
        if record
        else ""
    )
    return (
        f"Why: {why} ({_likelihood(finding.confidence)}, {finding.confidence:.0%}). "
        f"Runs `{task_string(build_argv(action))}`. Risk: {action_risk_level(action)}.{flag}"
    )


def form_description(
    findings: list[Finding], asked: list[str], sheet_link: str, deadline: datetime
) -> str:
    """The top of the Resume form, kept to three lines: the deadline, the sheet, the actions
    that run on their own, the choices (each field says why it is asked)."""
    others = sum(len(finding.actions) for finding in findings) - len(asked)
    first = [
        f"Decide by **{deadline:%a %d %b %H:%M} UTC** (no answer: rejected)",
        f"**[Evidence and each action's risk]({sheet_link})**",
    ]
    if others:
        first.append(f"{counted(others, 'other action')} auto-approved")
    return "\n\n".join(
        [
            " · ".join(first),
            "**approve** runs it right after you submit; **reject** and **cannot decide** do "
            "not (cannot decide is not counted as a rejection).",
        ]
    )


def review_sheet(
    findings: list[Finding],
    insight: Mapping[str, str],
    asked: list[str],
    links: list[str],
    deadline: datetime,
    horizon_days: int,
) -> str:
    """The review sheet: plain words first, then the briefing and the statistics."""
    workstations = sorted({finding.workstation for finding in _asked_findings(findings, asked)})

    def who_decides(action: ProposedAction) -> str:
        return "You decide" if action.action_id in asked else "Runs on its own (auto-approved)"

    lines = [
        f"# Review needed: {counted(len(asked), 'action')} on {', '.join(workstations)}",
        "",
        f"**Answer by {deadline:%a %d %b %Y %H:%M} UTC** with **Resume** on this flow run's "
        "page. With no answer by then the actions you are asked are rejected; the others run "
        "anyway.",
        "",
        CHOICES_SENTENCE,
        "",
        "## What will fail",
        "",
    ]
    for finding in findings:
        # The actions to decide first: they are what the reviewer came for.
        ordered = sorted(finding.actions, key=lambda action: action.action_id not in asked)
        lines += finding_section(
            finding.model_copy(update={"actions": ordered}), who_decides, horizon_days
        )
    lines += ["## Links", "", *(f"- {link}" for link in links), ""]
    dumped = [finding.model_dump(mode="json") for finding in findings]
    lines += ["## The analysis in full", "", findings_markdown(dumped, insight)]
    return "\n".join(lines)
