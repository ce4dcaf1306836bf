"""Learning proposal policies from reviewers' decisions on maintenance actions (pure functions)."""

from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from resync.learning.action_policy import (
    agreement,
    apply_action_policies,
    candidate_policy,
    decision_summary,
    helped_share,
    policy_outcome,
    propose_action_policy,
    propose_effect_flag,
)
from resync.maintenance.actions import propose
from resync.maintenance.types import Finding

START = datetime(2026, 9, 1, tzinfo=UTC)
GATES = {
    "min_decisions": 8,
    "holdout_fraction": 0.3,
    "review_threshold": 0.8,
    "withhold_share": 0.8,
    "auto_share": 0.9,
}


def decisions(pattern: str, confidence: float = 0.9) -> pl.DataFrame:
    """One decision a day, oldest first: "a" approved, "r" rejected."""
    return pl.DataFrame(
        {
            "decided_at": [START + timedelta(days=day) for day in range(len(pattern))],
            "decision": ["approved" if c == "a" else "rejected" for c in pattern],
            "confidence": [confidence] * len(pattern),
        }
    )


@pytest.mark.parametrize(
    ("policy", "auto_approvable", "confidence", "outcome"),
    [
        ("catalogue", True, 0.9, "approve"),
        ("catalogue", True, 0.6, "ask"),
        ("catalogue", False, 0.9, "ask"),
        ("review", True, 0.9, "ask"),
        ("withhold", False, 0.9, "reject"),
        ("auto", True, 0.6, "approve"),
        ("auto", False, 0.6, "ask"),
    ],
)
def test_what_each_policy_does_with_an_action(policy, auto_approvable, confidence, outcome):
    assert policy_outcome(policy, auto_approvable, confidence, 0.8) == outcome


def test_agreement_counts_asking_a_person_as_half() -> None:
    frame = decisions("aarr")
    assert agreement(frame, "catalogue", True, 0.8) == 0.5
    assert agreement(frame, "review", True, 0.8) == 0.5
    assert agreement(decisions("rrra"), "withhold", True, 0.8) == 0.75
    assert agreement(decisions("aaar"), "catalogue", True, 0.8) == 0.75


def test_candidate_policy_never_auto_approves_outside_the_catalogue() -> None:
    options = {"withhold_share": 0.8, "auto_share": 0.9}
    assert candidate_policy(0.1, False, **options) == "withhold"
    assert candidate_policy(0.4, True, **options) == "review"
    assert candidate_policy(0.4, False, **options) == "catalogue"
    assert candidate_policy(1.0, True, **options) == "auto"
    assert candidate_policy(1.0, False, **options) == "catalogue"


def test_consistent_rejections_withhold_the_action() -> None:
    proposal = propose_action_policy(
        "message_file_filling/resize_message_file", decisions("r" * 10), None, True, **GATES
    )
    assert proposal.applied and proposal.change_type == "action_policy"
    assert proposal.parameters_before is None
    assert proposal.parameters_after == {"policy": "withhold"}
    assert (proposal.metric_before, proposal.metric_after) == (0.0, 1.0)
    assert proposal.held_out_size == 3
    assert proposal.reason == "applied: held-out agreement 0 → 1 on 3 reviewer decisions"


def test_mostly_rejected_auto_approvable_action_goes_to_a_person() -> None:
    history = decisions("arrarrarra")
    proposal = propose_action_policy("disk_filling/clean_stdlist", history, None, True, **GATES)
    assert proposal.parameters_after == {"policy": "review"}
    # Held out "rra": the catalogue auto-approves (1 of 3 right), a person is asked (half).
    assert (proposal.metric_before, proposal.metric_after) == (pytest.approx(1 / 3, abs=1e-4), 0.5)
    assert proposal.applied


def test_no_change_when_the_held_out_decisions_disagree() -> None:
    # Rejected while training, approved since: withholding would have been wrong.
    proposal = propose_action_policy("k/c", decisions("rrrrrrraaa"), None, True, **GATES)
    assert proposal.parameters_after == {"policy": "withhold"}
    assert (proposal.metric_before, proposal.metric_after) == (1.0, 0.0)
    assert not proposal.applied
    assert proposal.reason.startswith("not applied:")


def test_too_few_decisions_or_a_fitting_policy_change_nothing() -> None:
    assert propose_action_policy("k/c", decisions("rrr"), None, True, **GATES) == (
        "3 reviewer decisions, 8 needed"
    )
    fits = propose_action_policy("k/c", decisions("r" * 10), {"policy": "withhold"}, True, **GATES)
    assert fits == "reviewers approved 0%: the policy in force (withhold) fits"


def finding(kind: str, *commands: str) -> Finding:
    arguments = {
        "clean_stdlist": {"older_than_days": 10},
        "resize_message_file": {"message_file": "Mailbox.msg", "size_mb": 20},
        "move_jobs_off_workstation": {"job_limit": 0},
    }
    return Finding(
        workstation="WS1",
        kind=kind,
        resource="disk_percent",
        predicted_failure_date=date(2026, 12, 1),
        confidence=0.9,
        evidence_summary="s",
        evidence={"threshold": 90.0},
        actions=[propose("WS1", kind, c, c, **arguments[c]) for c in commands],
    )


def test_applied_policies_withhold_demote_and_say_so() -> None:
    policies = {
        "disk_filling/clean_stdlist": {"policy": "review"},
        "message_file_filling/resize_message_file": {"policy": "withhold"},
    }
    disk, message, leak = apply_action_policies(
        [
            finding("disk_filling", "clean_stdlist"),
            finding("message_file_filling", "resize_message_file"),
            finding("memory_leak", "move_jobs_off_workstation"),
        ],
        policies,
    )
    assert [(a.command, a.auto_approvable) for a in disk.actions] == [("clean_stdlist", False)]
    assert disk.evidence["action_policies"] == {"clean_stdlist": "review"}
    assert message.actions == []
    assert message.evidence["withheld_actions"] == ["resize_message_file"]
    assert leak == finding("memory_leak", "move_jobs_off_workstation")


def test_decision_summary_keeps_the_latest_distinct_comments() -> None:
    frame = decisions("arrr").with_columns(
        kind=pl.lit("disk_filling"),
        command=pl.lit("clean_stdlist"),
        comment=pl.Series([None, "old", "keep logs", "keep logs"]),
    )
    assert decision_summary(frame) == [
        {
            "kind": "disk_filling",
            "command": "clean_stdlist",
            "approved": 1,
            "rejected": 3,
            "comments": ["keep logs", "old"],
        }
    ]


def effects(pattern: str) -> pl.DataFrame:
    """One observed effect per character: "h" helped, "n" no effect."""
    return pl.DataFrame({"effect": ["helped" if c == "h" else "no_effect" for c in pattern]})


def test_an_action_that_keeps_not_helping_is_flagged_to_reviewers_not_withheld() -> None:
    flag = propose_effect_flag("disk_filling/clean_stdlist", effects("nnh"), None)

    assert flag is not None and flag.applied
    assert flag.parameters_after == {"policy": "review", "effects": {"ran": 3, "helped": 1}}
    assert flag.reason == (
        "ran 3 times, helped 1: every proposal of it now goes to a reviewer, with that record"
    )
    # Flagged already with the same record, helping, or too few runs: nothing to change.
    assert propose_effect_flag("t", effects("nnh"), flag.parameters_after) is None
    assert propose_effect_flag("t", effects("hhn"), None) is None
    assert propose_effect_flag("t", effects("nn"), None) is None
    [disk] = apply_action_policies(
        [finding("disk_filling", "clean_stdlist")],
        {"disk_filling/clean_stdlist": flag.parameters_after},
    )
    assert [(a.command, a.auto_approvable) for a in disk.actions] == [("clean_stdlist", False)]
    assert disk.evidence["ineffective_actions"] == {"clean_stdlist": {"ran": 3, "helped": 1}}


def test_runs_that_helped_are_evidence_for_auto_approval_where_the_catalogue_allows() -> None:
    gates = {"withhold_share": 0.8, "auto_share": 0.9}
    assert helped_share(effects("hhhhhhhhhh")) == 1.0 and helped_share(effects("hh")) is None
    # Reviewers approved 70 %: not enough alone, enough beside runs that helped.
    assert candidate_policy(0.7, True, **gates) == "catalogue"
    assert candidate_policy(0.7, True, helped_share=1.0, **gates) == "auto"
    assert candidate_policy(0.7, False, helped_share=1.0, **gates) == "catalogue"
    assert candidate_policy(0.7, True, helped_share=0.5, **gates) == "catalogue"
    # Unsure findings: the catalogue asks a person, whom the held-out approvals agree with less.
    unsure = decisions("aaraaaaraaaa", confidence=0.6)
    proposal = propose_action_policy(
        "disk_filling/clean_stdlist", unsure, None, True, **GATES, helped=1.0
    )
    assert proposal.parameters_after == {"policy": "auto"}
    assert proposal.applied
