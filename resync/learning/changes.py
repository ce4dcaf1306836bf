"""A proposed learned change and the rule that decides whether it is applied."""

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Proposal:
    """One change auto-learning proposes, scored on held-out history before and after.

    `change_type` is calibration, alert_rule, forecast_model, action_policy,
    capacity_calibration or failure_text_model; `target` says what it applies to. `applied` is
    true only when the held-out score improves (and any guard named in `reason` holds);
    `reason` says why in one sentence either way.
    """

    change_type: str
    target: str
    parameters_before: dict[str, Any] | None
    parameters_after: dict[str, Any]
    metric: str
    metric_before: float
    metric_after: float
    held_out_size: int
    applied: bool
    reason: str
    higher_is_better: bool = False
    details: dict[str, Any] = field(default_factory=dict)


def improves(before: float, after: float, *, higher_is_better: bool, tolerance: float) -> bool:
    """Whether `after` beats `before` by more than `tolerance` (relative to `before`)."""
    margin = abs(before) * tolerance
    return after > before + margin if higher_is_better else after < before - margin


def verdict(metric: str, before: float, after: float, applied: bool, held_out: str) -> str:
    """The one-sentence reason stored with a proposal; `held_out` says what it was scored on."""
    change = f"held-out {metric} {before:.4g} → {after:.4g} on {held_out}"
    if applied:
        return f"applied: {change}"
    return f"not applied: {change} is no improvement"
