"""Who must review what: the proposed actions a person decides on, and every action's decision.

An action needs a person when its finding is unsure (confidence below the review threshold) or
when the action is not auto-approvable: the catalogue decides that (`is_auto_approvable`), and a
learned action policy can take auto-approval away (the proposal's `auto_approvable` flag).
Findings without actions have nothing to decide. A learned `auto` policy for every action of a
finding waives its confidence check, never the catalogue's.

Only the actions needing a person are asked; the others are auto-approved, whatever the answer
(a reviewer's or the timeout policy's) says about the asked ones.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from resync.learning.action_policy import AUTO
from resync.maintenance.actions import is_auto_approvable
from resync.maintenance.types import Finding, ProposedAction, ReviewAnswer, ReviewDecision


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


def review_decisions(
    findings: Iterable[Finding], answer: Mapping[str, Any]
) -> list[ReviewDecision]:
    """One decision per proposed action, by action id: the answer's for each action it decides
    (the ones a person was asked), auto-approval for the others.

    Refuses an answer deciding an action the run did not propose, and one leaving undecided an
    action the catalogue (or a learned policy) keeps for a person.
    """
    review = ReviewAnswer.model_validate(answer)
    proposed = {action.action_id: action for finding in findings for action in finding.actions}
    unknown = set(review.decisions) - set(proposed)
    if unknown:
        raise ValueError(f"the review decides actions this run did not propose: {sorted(unknown)}")
    decisions = []
    for action_id, action in sorted(proposed.items()):
        if action_id in review.decisions:
            decisions.append(
                ReviewDecision(
                    action_id=action_id,
                    decision=review.decisions[action_id],
                    **review.model_dump(exclude={"decisions"}),
                )
            )
        elif is_auto_approvable(action) and action.auto_approvable:
            decisions.append(
                ReviewDecision(action_id=action_id, decision="approved", source="auto_approved")
            )
        else:
            raise ValueError(f"{action_id} needs a person and the review did not decide it")
    return decisions
