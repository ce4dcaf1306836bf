"""The learned parameters in force, read where they act: calibrators and action policies by the
maintenance tasks, alert-rule overrides by the alert evaluation, forecast-model preferences and
saturation-probability calibrators by the capacity tasks.

The parameters in force for a target are those of its latest applied `learned_changes` row that
was not reverted. Only SQLAlchemy and the models: cheap to import from any task.
"""

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from resync.db.models import LearnedChange


def active_parameters(connection: Connection | Session, change_type: str) -> dict[str, Any]:
    """The learned parameters in force per target for `change_type`."""
    changes = connection.execute(
        select(LearnedChange.target, LearnedChange.parameters_after)
        .where(
            LearnedChange.change_type == change_type,
            LearnedChange.applied.is_(True),
            LearnedChange.reverted_at.is_(None),
        )
        .order_by(LearnedChange.created_at, LearnedChange.id)
    ).all()
    return {target: parameters for target, parameters in changes}


def alert_overrides(connection: Connection | Session) -> dict[tuple[str, str], Mapping[str, Any]]:
    """Learned alert-rule parameters (threshold, samples) in force, by (rule, workstation)."""
    learned = active_parameters(connection, "alert_rule")
    return {tuple(target.split("/", 1)): params for target, params in learned.items()}


def model_preferences(connection: Connection | Session) -> dict[str, str]:
    """Learned forecast models in force, by "WORKSTATION/resource"."""
    learned = active_parameters(connection, "forecast_model")
    return {target: params["model"] for target, params in learned.items()}
