"""Application tables, one module per domain; importing this package registers them all."""

from resync.db.models.alerts import Alert, AlertReview
from resync.db.models.base import Base, BigId, JsonDocument, JsonText, UtcDateTime, utcnow
from resync.db.models.capacity import CapacityForecast, CapacityForecastRun
from resync.db.models.ingest import (
    IngestBatch,
    MetricsInbox,
    SampleColumns,
    Workstation,
    WorkstationMetrics,
    WorkstationMetricsHourly,
)
from resync.db.models.jobs import FailureAnalysis, FailureResolution, JobExecution
from resync.db.models.keys import ApiKey, ApiKeyEvent, ApiKeyHourlyUsage
from resync.db.models.learning import LearnedChange, LearningOutcome
from resync.db.models.maintenance import (
    MaintenanceActionExecution,
    MaintenanceFinding,
    MaintenanceReview,
    MaintenanceRun,
)
from resync.db.models.reports import Report

__all__ = [
    "Alert",
    "AlertReview",
    "ApiKey",
    "ApiKeyEvent",
    "ApiKeyHourlyUsage",
    "Base",
    "BigId",
    "CapacityForecast",
    "CapacityForecastRun",
    "FailureAnalysis",
    "FailureResolution",
    "IngestBatch",
    "JobExecution",
    "JsonDocument",
    "JsonText",
    "LearnedChange",
    "LearningOutcome",
    "MaintenanceActionExecution",
    "MaintenanceFinding",
    "MaintenanceReview",
    "MaintenanceRun",
    "MetricsInbox",
    "Report",
    "SampleColumns",
    "UtcDateTime",
    "Workstation",
    "WorkstationMetrics",
    "WorkstationMetricsHourly",
    "utcnow",
]
