"""The auto-learning benchmark's simulations of reviewers' action decisions and capacity outcomes.

- Action policies. `sites` installations, each with its own reviewers, review the catalogue's
  five finding kind × command pairs for `weeks` weeks (`per_week` decisions a pair a week, each
  on a finding of confidence drawn from Beta(5, 2)). Per site, each pair's reviewers approve
  with one habit's probability: 0.03 (the action is unwanted there), 0.35 (mostly rejected),
  0.7 (mixed) or 0.97 (trusted). `propose_action_policy` learns on the first half with the
  flow's gates; held out, the second half's decisions: agreement (the flow's score), actions
  run without a person that reviewers reject, actions withheld that they would approve, and
  how many decisions are left to a person.
- Capacity outcomes. Saturation forecasts over `weeks` weeks, per resource, expected (nominal
  0.5) or only likely (nominal 0.1); their intervals are wrong differently per resource: CPU
  forecasts cross less often than they say (spiky series), memory about as often, disk more
  often (steady growth, intervals too wide). The calibrators `propose_calibrations` applies on
  the first half are scored on the second: ECE and Brier against the nominal probability.
"""

from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl

from resync.learning.action_policy import CATALOGUE, policy_outcome, propose_action_policy
from resync.learning.calibration import (
    apply_calibration,
    brier_score,
    choose_calibrator,
    expected_calibration_error,
    propose_calibrations,
)
from resync.learning.capacity import CHANGE_TYPE, NOMINAL_PROBABILITY, outcome_kind
from resync.maintenance.actions import CATALOGUE as ACTIONS
from resync.settings import Settings

PAIRS = (
    ("disk_filling", "clean_stdlist"),
    ("disk_filling", "extend_filesystem"),
    ("message_file_filling", "resize_message_file"),
    ("memory_leak", "move_jobs_off_workstation"),
    ("degrading_link", "move_jobs_off_workstation"),
)
START = datetime(2026, 1, 1, tzinfo=UTC)
HABITS = {"unwanted": 0.03, "mostly_rejected": 0.35, "mixed": 0.7, "trusted": 0.97}
# Per resource: the share of forecasts that come true by their date, for expected and likely.
TRUE_RATES = {"cpu": (0.25, 0.03), "memory": (0.5, 0.1), "disk": (0.85, 0.35)}


def _decisions(rng: np.random.Generator, count: int, approve: float) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "decided_at": [START + timedelta(hours=hour) for hour in range(count)],
            "decision": np.where(rng.uniform(0, 1, count) < approve, "approved", "rejected"),
            "confidence": np.round(rng.beta(5, 2, count), 4),
        }
    )


def _score(held: pl.DataFrame, policy: str, auto_approvable: bool, threshold: float) -> dict:
    counts = {"decisions": 0, "agreement": 0.0, "asked": 0, "unwanted_runs": 0, "missed": 0}
    for decision, confidence in held.select("decision", "confidence").iter_rows():
        outcome = policy_outcome(policy, auto_approvable, confidence, threshold)
        counts["decisions"] += 1
        counts["asked"] += outcome == "ask"
        counts["unwanted_runs"] += outcome == "approve" and decision != "approved"
        counts["missed"] += outcome == "reject" and decision == "approved"
        if outcome == "ask":
            counts["agreement"] += 0.5
        else:
            counts["agreement"] += (outcome == "approve") == (decision == "approved")
    return counts


def run_action_policies(sites: int, weeks: int, per_week: int, seed: int, settings: Settings):
    """Baseline (the catalogue) and learned policies on each site's held-out decisions."""
    rng = np.random.default_rng(seed)
    threshold = settings.review_confidence_threshold
    totals = {"baseline": {}, "learned": {}}
    applied: dict[str, int] = {}
    proposed = 0
    for _ in range(sites):
        for kind, command in PAIRS:
            habit = rng.choice(list(HABITS))
            auto_approvable = ACTIONS[command].auto_approvable
            history = _decisions(rng, weeks * per_week, HABITS[habit])
            half = history.height // 2
            train, held = history.head(half), history.tail(history.height - half)
            proposal = propose_action_policy(
                f"{kind}/{command}",
                train,
                None,
                auto_approvable,
                min_decisions=settings.learning_min_action_reviews,
                holdout_fraction=settings.learning_holdout_fraction,
                review_threshold=threshold,
                withhold_share=settings.learning_action_withhold_share,
                auto_share=settings.learning_action_auto_share,
            )
            policy = CATALOGUE
            if not isinstance(proposal, str):
                proposed += 1
                if proposal.applied:
                    policy = proposal.parameters_after["policy"]
                    key = f"{habit} → {policy}"
                    applied[key] = applied.get(key, 0) + 1
            for name, chosen in (("baseline", CATALOGUE), ("learned", policy)):
                for key, value in _score(held, chosen, auto_approvable, threshold).items():
                    totals[name][key] = totals[name].get(key, 0) + value
    for counts in totals.values():
        counts["agreement"] = round(counts["agreement"] / counts["decisions"], 4)
    return {
        "sites": sites,
        "weeks": weeks,
        "decisions_per_pair_per_week": per_week,
        "proposed": proposed,
        "applied": dict(sorted(applied.items())),
        **totals,
    }


def capacity_records(rng: np.random.Generator, weeks: int, per_week: int) -> pl.DataFrame:
    count = weeks * per_week
    resources = rng.choice(list(TRUE_RATES), count)
    likely = rng.uniform(0, 1, count) < 0.6
    nominal = np.where(likely, NOMINAL_PROBABILITY["likely"], NOMINAL_PROBABILITY["possible"])
    truth = np.array([TRUE_RATES[r][0 if e else 1] for r, e in zip(resources, likely, strict=True)])
    return pl.DataFrame(
        {
            "subject_id": [f"f{i:06d}" for i in range(count)],
            "kind": [outcome_kind(r) for r in resources],
            "due_at": [START + timedelta(hours=hour) for hour in range(count)],
            "confidence": nominal,
            "happened": rng.uniform(0, 1, count) < truth,
        }
    )


def _calibration_scores(confidence: np.ndarray, happened: np.ndarray) -> dict:
    return {
        "ece": round(expected_calibration_error(confidence, happened), 4),
        "brier": round(brier_score(confidence, happened), 4),
    }


def held_out_calibration(
    records: pl.DataFrame, settings: Settings, **options: str
) -> tuple[pl.DataFrame, np.ndarray, np.ndarray, dict]:
    """Calibrators learned on the older half of `records` and applied to the newer half: that
    half, its stated and its calibrated confidences, and what was proposed."""
    half = records.height // 2
    train, held = records.head(half), records.tail(records.height - half)
    proposals, skipped = propose_calibrations(
        train,
        {},
        min_outcomes=settings.learning_min_outcomes,
        holdout_fraction=settings.learning_holdout_fraction,
        **options,
    )
    calibrators = {p.target: p.parameters_after for p in proposals if p.applied}
    stated = held["confidence"].to_numpy()
    calibrated = np.array(
        [
            float(apply_calibration(c, choose_calibrator(calibrators, kind)))
            for c, kind in zip(stated, held["kind"], strict=True)
        ]
    )
    learned = {
        "proposals": {p.target: {"applied": p.applied, "reason": p.reason} for p in proposals},
        "skipped": skipped,
    }
    return held, stated, calibrated, learned


def run_capacity(weeks: int, per_week: int, seed: int, settings: Settings) -> dict:
    """Nominal against calibrated saturation probability on the held-out second half."""
    records = capacity_records(np.random.default_rng(seed), weeks, per_week)
    held, nominal, calibrated, learned = held_out_calibration(
        records, settings, change_type=CHANGE_TYPE
    )
    happened = held["happened"].to_numpy()
    per_resource = {}
    for kind in sorted(set(held["kind"])):
        mask = (held["kind"] == kind).to_numpy()
        per_resource[kind] = {
            "held_out": int(mask.sum()),
            "baseline": _calibration_scores(nominal[mask], happened[mask]),
            "learned": _calibration_scores(calibrated[mask], happened[mask]),
        }
    return {
        "forecasts": records.height,
        "held_out": held.height,
        "true_rates_expected_likely": TRUE_RATES,
        **learned,
        "baseline": _calibration_scores(nominal, happened),
        "learned": _calibration_scores(calibrated, happened),
        "per_resource": per_resource,
    }
