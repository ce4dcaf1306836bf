"""The failure text model: retrained by auto-learning, and the one in force for decision support.

The model in force is the catalogue's until a retraining was applied (and not reverted); then it
is trained on the resolutions up to that change's `through` time.
"""

import dataclasses
from typing import Any

from prefect import get_run_logger

from resync.db.engine import session_scope
from resync.joblog.store import load_resolved_failures
from resync.joblog.text_model import TextModel
from resync.learning.failure_model import (
    CHANGE_TYPE,
    TARGET,
    model_in_force,
    propose_failure_model,
    resolved_examples,
)
from resync.learning.parameters import active_parameters
from resync.settings import get_settings
from tasks.database import database_task


def failure_model_in_force() -> TextModel:
    """The text model the learned changes in force describe."""
    with session_scope() as session:
        current = active_parameters(session, CHANGE_TYPE).get(TARGET)
        rows = load_resolved_failures(session) if current else []
    return model_in_force(resolved_examples(rows), current)


@database_task
def retrain_failure_model() -> dict[str, Any]:
    """A retrained failure text model, applied only if the newest resolutions score it better."""
    settings = get_settings()
    with session_scope() as session:
        current = active_parameters(session, CHANGE_TYPE).get(TARGET)
        rows = load_resolved_failures(session)
    proposal = propose_failure_model(
        resolved_examples(rows),
        current,
        holdout_fraction=settings.learning_holdout_fraction,
        min_resolutions=settings.learning_min_failure_resolutions,
    )
    if isinstance(proposal, str):
        get_run_logger().info("failure text model not retrained: %s", proposal)
        return {"proposals": [], "skipped": {TARGET: proposal}, "fta_errors": {}}
    get_run_logger().info("failure text model: %s", proposal.reason)
    return {"proposals": [dataclasses.asdict(proposal)], "skipped": {}, "fta_errors": {}}
