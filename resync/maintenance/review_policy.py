"""Who must review what: the proposed actions a person decides on before any of them runs.

An action needs a person when its finding is unsure (confidence below the review threshold) or
when the action is not auto-approvable: the catalogue decides that (`is_auto_approvable`), and a
learned action policy can take auto-approval away (the proposal's `auto_approvable` flag).
Findings without actions have nothing to decide. A learned `auto` policy for every action of a
finding waives its confidence check, never the catalogue's.
"""

from collections.abc import Iterable

from resync.learning.action_policy import AUTO
from resync.maintenance.actions import is_auto_approvable
from resync.maintenance.types import Finding, ProposedAction


def actions_needing_review(findings: Iterable[Finding], threshold: float) -> list[ProposedAction]:
    """The proposed actions a person must approve or reject, in the findings' order."""
    needing = []
    for finding in findings:
        policies = finding.evidence.get("action_policies", {})
        learned_auto = all(policies.get(action.command) == AUTO for action in finding.actions)
        unsure = finding.confidence < threshold and not learned_auto
        needing += [
            action
            for action in finding.actions
            if unsure or not (is_auto_approvable(action) and action.auto_approvable)
        ]
    return needing


def needs_review(findings: Iterable[Finding], threshold: float) -> bool:
    """Whether a person reviews the run's actions before any of them runs."""
    return bool(actions_needing_review(findings, threshold))
