"""The markdown of an auto-learning run: what was learned, what was not, and why."""

from collections.abc import Mapping
from typing import Any


def _parameters(parameters: Mapping[str, Any] | None) -> str:
    if not parameters:
        return "defaults"
    if "policy" in parameters:
        return f"policy {parameters['policy']}"
    if "x" in parameters:
        knots = len(parameters["x"])
        return f"isotonic, {knots} knot{'s' if knots != 1 else ''}"
    return ", ".join(
        f"{key} {value:g}" if isinstance(value, float) else f"{key} {value}"
        for key, value in parameters.items()
    )


def _cell(text: str) -> str:
    """Reviewer text as one markdown table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def _changes_table(changes: list[Mapping[str, Any]]) -> list[str]:
    lines = [
        "| change | type | target | before → after | held-out score | why |",
        "|---|---|---|---|---|---|",
    ]
    for change in changes:
        lines.append(
            f"| {change['id']} | {change['change_type']} | {change['target']} "
            f"| {_parameters(change['parameters_before'])} → "
            f"{_parameters(change['parameters_after'])} "
            f"| {change['metric']} {change['metric_before']:g} → {change['metric_after']:g} "
            f"(n={change['held_out_size']}) | {change['reason']} |"
        )
    return lines


def learning_markdown(
    outcomes: Mapping[str, int],
    feedback: Mapping[str, Any],
    changes: list[Mapping[str, Any]],
    skipped: Mapping[str, str],
) -> str:
    """The run's report; `changes` are recorded proposals with their `id`."""
    applied = [change for change in changes if change["applied"]]
    rejected = [change for change in changes if not change["applied"]]
    lines = [
        "### Auto-learning",
        "",
        f"Past predictions due: {outcomes['due']}; judged against metrics history: "
        f"{outcomes['judged']} ({outcomes['happened']} came true), "
        f"{outcomes['without_samples']} without samples to judge them.",
        "",
        "Every figure below is computed from reviews and history (no language model involved). "
        "Undo any applied change with `resync learning revert ID`.",
        "",
    ]
    if feedback["maintenance"]:
        lines += ["| maintenance kind | action | approved | rejected | latest comments |"]
        lines += ["|---|---|---|---|---|"]
        lines += [
            f"| {entry['kind']} | {entry['command']} | {entry['approved']} | {entry['rejected']} "
            f"| {' · '.join(_cell(comment) for comment in entry['comments'])} |"
            for entry in feedback["maintenance"]
        ]
        lines.append("")
    if feedback["alerts"]:
        verdicts = ", ".join(f"{e['rule']} {e['verdict']} {e['len']}" for e in feedback["alerts"])
        lines += [f"Alert reviews: {verdicts}.", ""]
    lines += [f"#### Learned and applied ({len(applied)})", ""]
    lines += _changes_table(applied) if applied else ["Nothing improved its held-out score."]
    lines += ["", f"#### Proposed, not applied ({len(rejected)})", ""]
    lines += _changes_table(rejected) if rejected else ["None."]
    lines += ["", f"#### Not learned ({len(skipped)})", ""]
    if skipped:
        lines += ["| target | why |", "|---|---|"]
        lines += [f"| {target} | {why} |" for target, why in sorted(skipped.items())]
    else:
        lines.append("None.")
    return "\n".join(lines) + "\n"
