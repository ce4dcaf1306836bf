"""The maintenance review policy: which proposed actions a person decides on, without a graph."""

import pytest

from resync.maintenance.review_policy import actions_needing_review, needs_review
from resync.maintenance.types import Finding, ProposedAction

THRESHOLD = 0.8


def action(command: str, auto_approvable: bool = True) -> ProposedAction:
    return ProposedAction(
        action_id=f"{command}-1",
        command=command,
        arguments={"workstation": "FTA001", "older_than_days": 10},
        description=command,
        auto_approvable=auto_approvable,
    )


def finding(
    confidence: float, *actions: ProposedAction, policies: dict[str, str] | None = None
) -> Finding:
    return Finding(
        workstation="FTA001",
        kind="disk_filling",
        resource="disk_percent",
        predicted_failure_date=None,
        confidence=confidence,
        evidence_summary="disk filling",
        evidence={"action_policies": policies} if policies else {},
        actions=list(actions),
    )


@pytest.mark.parametrize(
    ("findings", "review"),
    [
        ([], False),
        ([finding(0.95, action("clean_stdlist"))], False),
        ([finding(0.5)], False),
        ([finding(0.8, action("clean_stdlist"))], False),
        ([finding(0.79, action("clean_stdlist"))], True),
        ([finding(0.95, action("clean_stdlist")), finding(0.5, action("clean_stdlist"))], True),
        ([finding(0.95, action("move_jobs_off_workstation", auto_approvable=False))], True),
        # The catalogue decides what is auto-approvable, not the proposal's own flag.
        ([finding(0.95, action("extend_filesystem", auto_approvable=True))], True),
        # A learned policy took auto-approval away.
        ([finding(0.95, action("clean_stdlist", auto_approvable=False))], True),
    ],
)
def test_who_reviews(findings: list[Finding], review: bool) -> None:
    assert needs_review(findings, THRESHOLD) is review


def test_a_learned_auto_policy_waives_the_confidence_check_only() -> None:
    unsure = finding(0.6, action("clean_stdlist"), policies={"clean_stdlist": "auto"})
    assert not needs_review([unsure], THRESHOLD)
    # Every action of the finding must be learned `auto` for the waiver.
    mixed = finding(
        0.6,
        action("clean_stdlist"),
        action("resize_message_file"),
        policies={"clean_stdlist": "auto"},
    )
    assert [a.command for a in actions_needing_review([mixed], THRESHOLD)] == [
        "clean_stdlist",
        "resize_message_file",
    ]
    # Never for an action the catalogue keeps for a person.
    kept = finding(
        0.9,
        action("move_jobs_off_workstation", auto_approvable=False),
        policies={"move_jobs_off_workstation": "auto"},
    )
    assert needs_review([kept], THRESHOLD)


def test_names_the_actions_a_person_decides_on() -> None:
    sure = finding(
        0.95, action("clean_stdlist"), action("extend_filesystem", auto_approvable=False)
    )
    unsure = finding(0.5, action("resize_message_file"))
    needing = actions_needing_review([sure, unsure], THRESHOLD)
    assert [a.command for a in needing] == ["extend_filesystem", "resize_message_file"]
