"""Tuning an alert rule for one FTA that reviewers keep marking as false alarms.

The rule is replayed on the FTA's samples with candidate parameters (a longer sustained-samples
count, a higher threshold, within bounds); a reviewed alert is kept by a candidate when the
replayed rule still fires while that alert was open. The candidate is chosen on the older
reviews (it must keep every confirmed alert and drop the most false alarms, the smallest such
change first) and scored on the newer, held-out reviews: precision of the alerts kept, applied
only when it rises and no confirmed held-out alert is lost.
"""

import operator
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import polars as pl

from resync.alerts.rules import AlertRule
from resync.learning.changes import Proposal, improves, verdict

FALSE_ALARM = "false_alarm"
CONFIRMED = "confirmed"


def review_gate(reviews: pl.DataFrame, *, min_reviews: int, false_alarm_share: float) -> str | None:
    """Why a rule × FTA with these reviews is not tuned; None when reviewers keep rejecting it."""
    if reviews.height < min_reviews:
        return f"{reviews.height} reviewed alerts, {min_reviews} needed"
    share = (reviews["verdict"] == FALSE_ALARM).mean()
    if share < false_alarm_share:
        return f"{share:.0%} false alarms: reviewers mostly confirm it"
    return None


def replay_rule(samples: pl.DataFrame, rule: AlertRule, threshold: float, count: int) -> pl.Series:
    """Per sample (`sample_time`, `value`, in time order): does the rule fire at that sample?"""
    holds = rule.compare(pl.col("value"), threshold).cast(pl.Int32)
    return samples.select(
        (holds.rolling_sum(count, min_samples=count) == count).fill_null(False).alias("firing")
    )["firing"]


def kept_alerts(
    samples: pl.DataFrame,
    reviews: pl.DataFrame,
    rule: AlertRule,
    parameters: Mapping[str, Any],
    slack: timedelta,
) -> list[bool]:
    """For each review (`opened_at`, `last_seen_at`): would the rule with `parameters` fire?"""
    firing_times = samples.filter(
        replay_rule(samples, rule, parameters["threshold"], parameters["samples"])
    )["sample_time"]
    return [
        bool(((firing_times >= opened - slack) & (firing_times <= last_seen)).any())
        for opened, last_seen in reviews.select("opened_at", "last_seen_at").iter_rows()
    ]


def _candidates(rule: AlertRule, current: Mapping[str, Any], bounds: Mapping[str, Any]):
    """Candidates in order of preference: longer counts first, then each threshold step."""
    steps = range(bounds["max_threshold_steps"] + 1) if rule.compare is not operator.eq else [0]
    options = [
        {
            "threshold": current["threshold"] + step * bounds["threshold_step"],
            "samples": current["samples"] + extra,
        }
        for step in steps
        for extra in range(bounds["max_samples"] - current["samples"] + 1)
    ]
    return [option for option in options if option != dict(current)]


def _score(kept: list[bool], verdicts: list[str]) -> tuple[float, int]:
    """Precision of the kept alerts (1 when none is kept) and how many confirmed were kept."""
    raised = sum(kept)
    confirmed = sum(k and v == CONFIRMED for k, v in zip(kept, verdicts, strict=True))
    return (confirmed / raised if raised else 1.0), confirmed


def propose_alert_tuning(
    rule: AlertRule,
    workstation: str,
    samples: pl.DataFrame,
    reviews: pl.DataFrame,
    current: Mapping[str, Any],
    *,
    bounds: Mapping[str, Any],
    holdout_fraction: float,
    slack: timedelta,
) -> Proposal | str:
    """A proposal for rule × FTA from its reviews (`opened_at`, `last_seen_at`, `verdict`), or
    the reason there is none."""
    reviews = reviews.sort("opened_at")
    held = max(2, round(reviews.height * holdout_fraction))
    train, held_out = reviews.head(reviews.height - held), reviews.tail(held)
    train_verdicts = train["verdict"].to_list()
    base = kept_alerts(samples, train, rule, current, slack)
    base_false = sum(k and v == FALSE_ALARM for k, v in zip(base, train_verdicts, strict=True))
    base_confirmed = _score(base, train_verdicts)[1]
    best, best_removed = None, 0
    for candidate in _candidates(rule, current, bounds):
        kept = kept_alerts(samples, train, rule, candidate, slack)
        false = sum(k and v == FALSE_ALARM for k, v in zip(kept, train_verdicts, strict=True))
        if _score(kept, train_verdicts)[1] == base_confirmed and base_false - false > best_removed:
            best, best_removed = candidate, base_false - false
    if best is None:
        return "no change within bounds drops a false alarm without losing a confirmed alert"
    verdicts = held_out["verdict"].to_list()
    before, confirmed_before = _score(
        kept_alerts(samples, held_out, rule, current, slack), verdicts
    )
    after, confirmed_after = _score(kept_alerts(samples, held_out, rule, best, slack), verdicts)
    applied = confirmed_after >= confirmed_before and improves(
        before, after, higher_is_better=True, tolerance=0.0
    )
    reason = verdict("precision", before, after, applied, f"{held_out.height} reviewed alerts")
    if confirmed_after < confirmed_before:
        reason = f"not applied: it loses {confirmed_before - confirmed_after} confirmed alert(s)"
    return Proposal(
        change_type="alert_rule",
        target=f"{rule.name}/{workstation}",
        parameters_before=dict(current),
        parameters_after=best,
        metric="precision",
        metric_before=round(before, 4),
        metric_after=round(after, 4),
        held_out_size=held_out.height,
        applied=applied,
        reason=reason,
        higher_is_better=True,
        details={"false_alarms_dropped_in_training": best_removed},
    )
