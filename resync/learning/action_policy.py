"""Learning from reviewers' decisions on proposed maintenance actions, per finding kind × command.

A policy says how the recommend step proposes one command for one kind of finding:
- `catalogue` (the default): as the catalogue says; auto-approvable commands of confident
  findings run without a reviewer;
- `review`: reviewers keep rejecting it, so it always goes to a person (only ever stricter);
- `withhold`: reviewers reject it almost every time, so it is not proposed; the finding's
  evidence names it and why;
- `auto`: reviewers approve it almost every time, so a catalogue auto-approvable command runs
  without a reviewer even when the finding's confidence is under the review threshold.

Decisions are split by time: the candidate policy comes from the older ones, and it is scored
against the newer, held-out ones by agreement: the share of reviewers' decisions the policy
would have reached itself (auto-approve ↔ approved, withhold ↔ rejected; asking a person
counts half: safe, but it costs their time). Applied only when agreement rises.

What an action did when it ran (its effect in the FTA's next samples) counts beside the
decisions: one that ran `MIN_EFFECTS` times or more and helped less than half the time is
flagged (`review` with its record, shown to the reviewer, never withheld silently), and one
that helped at least the auto share of the time stands in for reviewers' approvals when
proposing `auto`, where the catalogue allows it.
"""

from collections.abc import Mapping
from typing import Any

import polars as pl

from resync.learning.changes import Proposal, improves, verdict
from resync.maintenance.types import Finding

CATALOGUE, REVIEW, WITHHOLD, AUTO = "catalogue", "review", "withhold", "auto"
APPROVED = "approved"
HELPED = "helped"
MIN_EFFECTS = 3
COMMENTS_SHOWN = 3


def policy_outcome(policy: str, auto_approvable: bool, confidence: float, threshold: float) -> str:
    """What the proposal policy does with one action: approve, ask (a person) or reject."""
    if policy == WITHHOLD:
        return "reject"
    if not auto_approvable or policy == REVIEW:
        return "ask"
    return "approve" if policy == AUTO or confidence >= threshold else "ask"


def agreement(
    decisions: pl.DataFrame, policy: str, auto_approvable: bool, threshold: float
) -> float:
    """Mean agreement of `policy` with the reviewers' `decision`s (given each `confidence`)."""
    score = 0.0
    for decision, confidence in decisions.select("decision", "confidence").iter_rows():
        outcome = policy_outcome(policy, auto_approvable, confidence, threshold)
        if outcome == "ask":
            score += 0.5
        elif (outcome == "approve") == (decision == APPROVED):
            score += 1.0
    return score / decisions.height


def candidate_policy(
    approved_share: float,
    auto_approvable: bool,
    *,
    withhold_share: float,
    auto_share: float,
    helped_share: float | None = None,
) -> str:
    """The policy reviewers' approval share points to; `auto` only where the catalogue allows,
    on reviewers' approvals or, past half of them, on the share of runs that helped."""
    if 1.0 - approved_share >= withhold_share:
        return WITHHOLD
    if auto_approvable and approved_share <= 0.5:
        return REVIEW
    helped = helped_share is not None and helped_share >= auto_share
    if auto_approvable and (approved_share >= auto_share or helped):
        return AUTO
    return CATALOGUE


def effect_record(effects: pl.DataFrame) -> dict[str, int]:
    """How often an action ran with a seen effect, and how often it helped."""
    return {"ran": effects.height, "helped": int((effects["effect"] == HELPED).sum())}


def helped_share(effects: pl.DataFrame) -> float | None:
    """The share of runs that helped, once there are `MIN_EFFECTS` of them."""
    record = effect_record(effects)
    return record["helped"] / record["ran"] if record["ran"] >= MIN_EFFECTS else None


def propose_effect_flag(
    target: str, effects: pl.DataFrame, current: Mapping[str, Any] | None
) -> Proposal | None:
    """Flag "kind/command" to reviewers when it keeps running without helping (`review`, with
    its record); None while it helps or has run too few times."""
    share = helped_share(effects)
    if share is None or share >= 0.5:
        return None
    record = effect_record(effects)
    in_force = current["policy"] if current else CATALOGUE
    if in_force == REVIEW and current.get("effects") == record:
        return None
    return Proposal(
        change_type="action_policy",
        target=target,
        parameters_before=dict(current) if current else None,
        parameters_after={"policy": REVIEW, "effects": record},
        metric="helped_share",
        metric_before=round(share, 4),
        metric_after=round(share, 4),
        held_out_size=record["ran"],
        applied=True,
        reason=(
            f"ran {record['ran']} times, helped {record['helped']}: every proposal of it now "
            "goes to a reviewer, with that record"
        ),
        higher_is_better=True,
        details=record,
    )


def propose_action_policy(
    target: str,
    decisions: pl.DataFrame,
    current: Mapping[str, Any] | None,
    auto_approvable: bool,
    *,
    min_decisions: int,
    holdout_fraction: float,
    review_threshold: float,
    withhold_share: float,
    auto_share: float,
    helped: float | None = None,
) -> Proposal | str:
    """A policy for "kind/command" from its reviewer `decisions` (`decided_at`, `decision`,
    `confidence`) and the share of its runs that `helped`, or the reason there is none."""
    if decisions.height < min_decisions:
        return f"{decisions.height} reviewer decisions, {min_decisions} needed"
    ordered = decisions.sort("decided_at")
    held = max(2, round(ordered.height * holdout_fraction))
    train, held_out = ordered.head(ordered.height - held), ordered.tail(held)
    in_force = current["policy"] if current else CATALOGUE
    approved_share = float((train["decision"] == APPROVED).mean())
    after = candidate_policy(
        approved_share,
        auto_approvable,
        withhold_share=withhold_share,
        auto_share=auto_share,
        helped_share=helped if approved_share > 0.5 else None,
    )
    if after == in_force:
        return f"reviewers approved {approved_share:.0%}: the policy in force ({in_force}) fits"
    score_before = agreement(held_out, in_force, auto_approvable, review_threshold)
    score_after = agreement(held_out, after, auto_approvable, review_threshold)
    applied = improves(score_before, score_after, higher_is_better=True, tolerance=0.0)
    return Proposal(
        change_type="action_policy",
        target=target,
        parameters_before=dict(current) if current else None,
        parameters_after={"policy": after},
        metric="agreement",
        metric_before=round(score_before, 4),
        metric_after=round(score_after, 4),
        held_out_size=held_out.height,
        applied=applied,
        reason=verdict(
            "agreement", score_before, score_after, applied, f"{held} reviewer decisions"
        ),
        higher_is_better=True,
        details={"trained_on": train.height, "approved_share_in_training": approved_share},
    )


def apply_action_policies(
    findings: list[Finding], policies: Mapping[str, Mapping[str, Any]]
) -> list[Finding]:
    """Findings with the learned policies in force: withheld actions left out (and named in the
    evidence), `review` ones no longer auto-approvable, every learned policy in the evidence,
    with the record of the actions flagged for not helping (`ineffective_actions`)."""
    applied = []
    for finding in findings:
        kept, withheld, learned, ineffective = [], [], {}, {}
        for action in finding.actions:
            parameters = policies.get(f"{finding.kind}/{action.command}", {})
            policy = parameters.get("policy", CATALOGUE)
            if policy != CATALOGUE:
                learned[action.command] = policy
            if "effects" in parameters:
                ineffective[action.command] = parameters["effects"]
            if policy == WITHHOLD:
                withheld.append(action.command)
                continue
            if policy == REVIEW:
                action = action.model_copy(update={"auto_approvable": False})
            kept.append(action)
        if learned:
            evidence = {**finding.evidence, "action_policies": learned}
            if withheld:
                evidence["withheld_actions"] = withheld
            if ineffective:
                evidence["ineffective_actions"] = ineffective
            finding = finding.model_copy(update={"actions": kept, "evidence": evidence})
        applied.append(finding)
    return applied


def decision_summary(decisions: pl.DataFrame) -> list[dict[str, Any]]:
    """Per kind × command: approved, rejected and the latest distinct reviewer comments, newest
    first."""
    summary = []
    ordered = decisions.sort("decided_at", descending=True)
    for (kind, command), group in sorted(
        ordered.partition_by("kind", "command", as_dict=True).items()
    ):
        written = group["comment"].drop_nulls()
        comments = written.filter(written != "").unique(maintain_order=True)
        summary.append(
            {
                "kind": kind,
                "command": command,
                "approved": int((group["decision"] == APPROVED).sum()),
                "rejected": int((group["decision"] != APPROVED).sum()),
                "comments": comments.head(COMMENTS_SHOWN).to_list(),
            }
        )
    return summary
