"""Resync settings: one pydantic-settings object, read from `RESYNC_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "password", "admin", "test"}


class Settings(BaseSettings):
    """Every tunable of Resync; thresholds live here, never as literals in code."""

    model_config = SettingsConfigDict(env_prefix="RESYNC_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".resync")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file under data_dir"
    )

    # Ingest
    retention_days: int = Field(default=400, ge=1)
    max_clock_skew_seconds: int = Field(default=300, ge=0)
    single_body_limit_bytes: int = 64 * 1024
    batch_body_limit_bytes: int = 16 * 1024 * 1024
    inbox_max_rows_per_transaction: int = Field(default=10_000, ge=1)
    key_cache_ttl_seconds: float = Field(default=5.0, gt=0, le=5.0)
    usage_flush_interval_seconds: float = Field(default=2.0, gt=0, le=5.0)

    # Inbox → history
    ingest_batch_size: int = Field(default=100_000, ge=1)
    ingest_max_batches_per_run: int = Field(default=100, ge=1)
    ingest_claim_timeout_seconds: int = Field(default=600, ge=10)

    # Collector cadence and FTA link
    collector_interval_seconds: int = 300
    silent_after_intervals: int = 3
    ping_count: int = 20
    master_port: int = 31116
    netman_port: int = 31111

    # Alert rules (saturation: CPU > 95 %, memory > 95 %, disk > 90 %)
    cpu_saturation_percent: float = 95.0
    memory_saturation_percent: float = 95.0
    disk_saturation_percent: float = 90.0
    saturation_sustained_samples: int = Field(default=3, ge=1)
    master_unreachable_samples: int = Field(default=2, ge=1)
    packet_loss_alert_percent: float = 20.0
    packet_loss_sustained_samples: int = Field(default=3, ge=1)
    notification_block: str | None = Field(
        default=None,
        description="Prefect notification block for new alerts, as 'block-type-slug/name' "
        "(e.g. 'slack-webhook/ops-night')",
    )

    # Analysis
    review_confidence_threshold: float = 0.8
    forecast_history_days: int = 30
    forecast_horizon_days: int = 90
    forecast_min_history_days: float = Field(
        default=7.0, ge=2.0, description="Shorter histories are reported as too little data"
    )
    procurement_lead_time_days: int = Field(
        default=30, ge=0, description="Order-by date = expected saturation date minus this"
    )

    # LLM analyst (optional)
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")

    # HWA / TWS master REST API
    hwa_url: str | None = Field(
        default=None,
        description="Base URL of the master's REST API, e.g. 'https://tws-master:31116'",
    )
    hwa_user: str | None = None
    hwa_password: SecretStr | None = None
    hwa_token: SecretStr | None = Field(
        default=None, description="API key sent as a bearer token instead of user and password"
    )
    hwa_verify_tls: bool = Field(
        default=True, description="Verify the master's certificate (disable only in a lab)"
    )
    hwa_ca_bundle: Path | None = Field(
        default=None, description="PEM file of the CA that signed the master's certificate"
    )
    hwa_timeout_seconds: float = Field(default=30.0, gt=0)
    hwa_page_size: int = Field(default=500, ge=1, le=10_000)

    # Job history
    joblog_max_bytes: int = Field(
        default=64 * 1024, ge=1024, description="Joblogs longer than this keep only their end"
    )

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "Settings":
        if self.environment == "development":
            return self
        for name in ("anthropic_api_key", "hwa_password", "hwa_token"):
            value = getattr(self, name)
            if value is not None and value.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"{name} is a placeholder value; set a real secret or unset it "
                    f"(placeholders are refused when environment={self.environment})"
                )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'resync.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
