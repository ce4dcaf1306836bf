"""The maintenance review policy: which proposed actions a person decides on and every action's
decision, without a graph."""

from datetime import UTC, datetime

import pytest

from resync.maintenance.review_policy import (
    actions_needing_review,
    needs_review,
    review_decisions,
)
from resync.maintenance.types import Finding, ProposedAction, ReviewDecision

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


def test_decisions_are_the_answers_for_the_asked_actions_and_auto_approval_for_the_rest() -> None:
    sure = finding(
        0.95, action("clean_stdlist"), action("extend_filesystem", auto_approvable=False)
    )
    answer = {
        "decisions": {"extend_filesystem-1": "deferred"},
        "source": "reviewer",
        "decided_by": "alice",
        "comment": "ask the storage team",
        "submitted_at": "2026-12-07T01:55:12Z",
        "flow_run_id": "6f0e2a4c-51c8-4a8e-9d43-2f4c3f0f7f11",
    }

    clean, extend = review_decisions([sure], answer)

    assert clean == ReviewDecision(
        action_id="clean_stdlist-1", decision="approved", source="auto_approved"
    )
    assert (extend.action_id, extend.decision, extend.source, extend.decided_by) == (
        "extend_filesystem-1",
        "deferred",
        "reviewer",
        "alice",
    )
    assert extend.comment == "ask the storage team"
    assert extend.submitted_at == datetime(2026, 12, 7, 1, 55, 12, tzinfo=UTC)
    assert str(extend.flow_run_id) == answer["flow_run_id"]


def test_nobody_asked_approves_only_what_the_catalogue_allows() -> None:
    nobody_asked = {"source": "auto_approved"}
    [clean] = review_decisions([finding(0.95, action("clean_stdlist"))], nobody_asked)
    assert (clean.decision, clean.source) == ("approved", "auto_approved")
    # An action kept for a person is never auto-approved, whatever the answer leaves out.
    kept = finding(0.95, action("move_jobs_off_workstation", auto_approvable=False))
    with pytest.raises(ValueError, match="move_jobs_off_workstation-1 needs a person"):
        review_decisions([kept], nobody_asked)
    with pytest.raises(ValueError, match=r"did not propose: \['rm-rf'\]"):
        review_decisions([kept], {"decisions": {"rm-rf": "approved"}, "source": "reviewer"})
