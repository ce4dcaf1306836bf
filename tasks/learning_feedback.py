"""Auto-learning tasks for reviewers' action decisions and capacity outcomes.

Each returns its proposals as plain dicts and the targets left out with why, like the learners
of `tasks.learning`.
"""

import dataclasses
from typing import Any

from resync.db.engine import get_engine
from resync.learning.action_policy import helped_share, propose_action_policy, propose_effect_flag
from resync.learning.calibration import propose_calibrations
from resync.learning.capacity import CHANGE_TYPE
from resync.learning.parameters import active_parameters
from resync.learning.store import load_action_decisions, load_action_effects, load_outcomes
from resync.maintenance.actions import CATALOGUE
from resync.settings import get_settings
from tasks.database import database_task


@database_task
def learn_action_policies() -> dict[str, Any]:
    """Per finding kind × action: withhold, send to review or auto-approve it, as reviewers'
    decisions and what it did when it ran show; flag to reviewers one that keeps not helping."""
    settings = get_settings()
    with get_engine().connect() as connection:
        decisions = load_action_decisions(connection)
        effects = load_action_effects(connection)
        current = active_parameters(connection, "action_policy")
    by_target = decisions.partition_by("kind", "command", as_dict=True)
    effects_by_target = effects.partition_by("kind", "command", as_dict=True)
    proposals, skipped = [], {}
    for kind, command in sorted(set(by_target) | set(effects_by_target)):
        target = f"{kind}/{command}"
        if command not in CATALOGUE:
            skipped[target] = f"{command} is no longer in the action catalogue"
            continue
        ran = effects_by_target.get((kind, command), effects.clear())
        flag = propose_effect_flag(target, ran, current.get(target))
        if flag is not None:
            proposals.append(dataclasses.asdict(flag))
            continue
        found = propose_action_policy(
            target,
            by_target.get((kind, command), decisions.clear()),
            current.get(target),
            CATALOGUE[command].auto_approvable,
            min_decisions=settings.learning_min_action_reviews,
            holdout_fraction=settings.learning_holdout_fraction,
            review_threshold=settings.review_confidence_threshold,
            withhold_share=settings.learning_action_withhold_share,
            auto_share=settings.learning_action_auto_share,
            helped=helped_share(ran),
        )
        if isinstance(found, str):
            skipped[target] = found
        else:
            proposals.append(dataclasses.asdict(found))
    if decisions.is_empty() and effects.is_empty():
        skipped["all"] = "no reviewer decision on a maintenance action yet"
    return {"proposals": proposals, "skipped": skipped}


@database_task
def calibrate_saturation_probability() -> dict[str, Any]:
    """Per resource: how often a forecast saturation came true by its date, as a calibrator of
    the forecast's nominal probability."""
    settings = get_settings()
    with get_engine().connect() as connection:
        outcomes = load_outcomes(connection, "capacity")
        current = active_parameters(connection, CHANGE_TYPE)
    proposals, skipped = propose_calibrations(
        outcomes,
        current,
        min_outcomes=settings.learning_min_outcomes,
        holdout_fraction=settings.learning_holdout_fraction,
        change_type=CHANGE_TYPE,
    )
    if outcomes.is_empty():
        skipped["all"] = "no judged outcome of a capacity forecast yet"
    return {"proposals": [dataclasses.asdict(p) for p in proposals], "skipped": skipped}
