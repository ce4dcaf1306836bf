"""Maintenance analytics: pure functions on polars frames, no database, no Prefect.

`analyze_degradation → correlate → predict → recommend`: what degrades on each FTA, whether
job slowdowns follow its resources, when it fails and how sure that is, and which allow-listed
actions (`resync.maintenance.actions`) would prevent it.
"""

from resync.maintenance.correlation import correlate
from resync.maintenance.degradation import analyze_degradation
from resync.maintenance.prediction import predict
from resync.maintenance.recommendation import recommend
from resync.maintenance.types import (
    Correlation,
    Degradation,
    Finding,
    Kind,
    Prediction,
    ProposedAction,
    TimeWindow,
)

__all__ = [
    "Correlation",
    "Degradation",
    "Finding",
    "Kind",
    "Prediction",
    "ProposedAction",
    "TimeWindow",
    "analyze_degradation",
    "correlate",
    "predict",
    "recommend",
]
