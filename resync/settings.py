"""Resync settings: one pydantic-settings object, read from `RESYNC_*` environment variables."""

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from resync.capacity.prices import DEFAULT_SHEET, load_price_sheet

PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "password", "admin", "test"}
# A link's HMAC key: 32 characters of token_urlsafe carry 192 bits.
MIN_LINK_SECRET = 32
# A logical volume's device path, as `lvextend` takes it (/dev/mapper/vg-lv or /dev/vg/lv).
LOGICAL_VOLUME_PATTERN = r"^/dev/(mapper/[A-Za-z0-9_.+-]+|[A-Za-z0-9_.+-]+/[A-Za-z0-9_.+-]+)$"


class Settings(BaseSettings):
    """Every tunable of Resync; thresholds live here, never as literals in code."""

    model_config = SettingsConfigDict(env_prefix="RESYNC_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path(".resync")
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; defaults to a SQLite file under data_dir"
    )
    database_block: str | None = Field(
        default=None,
        description="Prefect SqlAlchemyConnector block holding the database connection; set on "
        "every deployment by `prefect deploy`, it takes the place of database_url in flow runs",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO",
        description="What the resync processes (command line, demo, fake master, API) log; "
        "flow runs log through Prefect's logging settings",
    )
    log_format: Literal["text", "json"] = Field(
        default="text",
        description="How the resync processes write their log lines: text, or one JSON object "
        "per line for a log shipper",
    )

    # Where the per-FTA work of the capacity, maintenance and decision-support flows runs
    task_runner: Literal["threads", "dask"] = Field(
        default="threads",
        description="threads: task runs in threads of the flow's process; dask: on a Dask "
        "cluster, a local one per flow run or the one at dask_address",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster (tcp://host:8786); unset: a local "
        "cluster is started for each flow run",
    )
    dask_workers: int = Field(
        default=0,
        ge=0,
        le=256,
        description="Worker processes of the local Dask cluster; 0: one per core",
    )
    ftas_per_task: int = Field(
        default=50,
        ge=1,
        le=10_000,
        description="FTAs one fanned-out task run carries, so its work outweighs its scheduling",
    )

    # Ingest
    retention_days: int = Field(default=400, ge=1)
    raw_history_days: int = Field(
        default=35,
        ge=2,
        description="Days the 5-minute samples are kept as they came; older ones are summarised "
        "per FTA and hour (mean, max, p95 of every metric), kept for retention_days",
    )
    max_clock_skew_seconds: int = Field(default=300, ge=0)
    single_body_limit_bytes: int = 64 * 1024
    batch_body_limit_bytes: int = 16 * 1024 * 1024
    inbox_max_rows_per_transaction: int = Field(default=10_000, ge=1)
    # Batch (spool replay) transactions written at the same time on PostgreSQL, each on its own
    # connection, beside the writer of single samples (SQLite takes one writer at a time).
    inbox_batch_writers: int = Field(default=2, ge=1, le=16)
    key_cache_ttl_seconds: float = Field(default=5.0, gt=0, le=5.0)
    usage_flush_interval_seconds: float = Field(default=2.0, gt=0, le=5.0)
    # Requests reading or writing through a database session at once (ingest has its own
    # writers); another waits this long for a slot, then gets 503 with Retry-After.
    api_database_slots: int = Field(default=8, ge=1, le=32)
    api_database_wait_seconds: float = Field(default=2.0, gt=0, le=30)
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated) of the reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto the API believes; none by default",
    )
    api_gc_freeze: bool = Field(
        default=True,
        description="Freeze what the API loaded at start out of the collector's full passes "
        "(a full collection per start: the tests, which start it hundreds of times, turn it off)",
    )

    # Inbox → history
    ingest_batch_size: int = Field(default=100_000, ge=1)
    ingest_max_batches_per_run: int = Field(default=100, ge=1)
    # Batches validated and loaded at the same time, each in its own transaction: the database
    # and the flow work on two at once, one per core of a small server.
    ingest_parallel_batches: int = Field(default=2, ge=1, le=16)
    ingest_claim_timeout_seconds: int = Field(default=600, ge=10)
    inbox_drain_alert_minutes: int = Field(
        default=15,
        ge=1,
        description="Alert when an ingest run leaves accepted samples waiting longer than this",
    )

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
    forecast_calendar_days: int = Field(
        default=180,
        ge=0,
        description="Days of history the capacity forecast reads to learn month-end peaks (the "
        "models fit the last forecast_history_days)",
    )
    forecast_horizon_days: int = 90
    forecast_min_history_days: float = Field(
        default=7.0,
        ge=2.0,
        description="Shorter histories of CPU, memory and disk get a provisional estimate",
    )
    procurement_lead_time_days: int = Field(
        default=30, ge=0, description="Order-by date = P50 saturation date minus this"
    )
    capacity_schedule_timezone: str = Field(
        default="UTC",
        description="IANA time zone of the weekly capacity forecast (Sunday 01:00), read by "
        "prefect.yaml as RESYNC_CAPACITY_SCHEDULE_TIMEZONE",
    )
    capacity_headroom_percent: float = Field(
        default=10.0,
        ge=0,
        lt=90,
        description="Scaling keeps the forecast peak this many points below the threshold",
    )
    capacity_price_sheet: str = Field(
        default=DEFAULT_SHEET,
        description="What added capacity costs a month: a built-in price sheet (on-premises-vm, "
        "aws-fargate) or the path of a JSON sheet (name, currency, vcpu_month, "
        "memory_gb_month, disk_gb_month, source), stated in the report",
    )

    # Reports
    public_api_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The API's address as readers reach it, for the report links in Prefect",
    )
    link_signing_secret: SecretStr | None = Field(
        default=None,
        description="Key of the signed links in Prefect artifacts and reviews, the same for the "
        "API and every flow; in development, one is generated once under data_dir",
    )
    link_lifetime_seconds: int = Field(
        default=24 * 3600,
        ge=60,
        le=7 * 24 * 3600,
        description="How long a signed link opens its resource (a review's links last at least "
        "as long as the review waits)",
    )

    # LLM analyst (optional)
    anthropic_api_key: SecretStr | None = Field(default=None, validation_alias="ANTHROPIC_API_KEY")
    anthropic_base_url: str = Field(
        default="https://api.anthropic.com", description="Messages API base URL"
    )
    anthropic_model: str = Field(default="claude-sonnet-4-6", description="Claude model name")
    anthropic_timeout_seconds: float = Field(default=60.0, gt=0)

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

    job_history_overlap_hours: float = Field(
        default=24.0,
        ge=0,
        description="Each sync looks again at runs that ended this long before the latest one "
        "stored (a master learns late of runs on an unlinked FTA)",
    )

    # Decision support on failed jobs
    failure_context_hours: float = Field(
        default=2.0, gt=0, description="FTA samples and alerts this long either side of a failure"
    )
    failure_history_runs: int = Field(
        default=50, ge=1, description="Earlier runs of the same job read for its run history"
    )
    failure_similar_cases: int = Field(
        default=5, ge=1, description="Similar past failures shown on a root-cause card"
    )
    failure_past_cases: int = Field(
        default=5000, ge=1, description="Most recent analysed failures similar-case search reads"
    )
    failure_batch_runs: int = Field(
        default=100,
        ge=1,
        le=500,
        description="Failed runs analysed together: one task run per step for each batch in "
        "Prefect, however many runs failed, and a batch's joblogs held in memory at once",
    )

    # Maintenance analytics (degradation, correlation, failure prediction)
    maintenance_horizon_days: int = Field(
        default=28, ge=1, description="Failures expected within this many days become findings"
    )
    maintenance_recent_days: int = Field(
        default=7, ge=1, description="Recent window compared with the baseline before it"
    )
    maintenance_trend_days: int = Field(
        default=14, ge=2, description="Resource trends are fitted on at most this many last days"
    )
    maintenance_min_trend_days: float = Field(
        default=3.0, ge=1.0, description="A resource trend needs this much history in its regime"
    )
    maintenance_trend_min_r_squared: float = Field(default=0.5, ge=0.0, le=1.0)
    maintenance_p_value: float = Field(
        default=0.001, gt=0.0, lt=1.0, description="Significance of trends and failure-rate tests"
    )
    maintenance_trend_drift: float = Field(
        default=0.2,
        ge=0.0,
        description="Relative standard deviation of a growth rate once extrapolated (trends "
        "speed up and slow down); widens failure-date intervals and lowers confidence",
    )
    job_slowdown_ratio: float = Field(
        default=1.25, gt=1.0, description="Recent median duration over the baseline median"
    )
    job_min_runs: int = Field(default=5, ge=2, description="Runs needed in each window")
    maintenance_logical_volume: str | None = Field(
        default=None,
        pattern=LOGICAL_VOLUME_PATTERN,
        description="Logical volume holding TWS_HOME on the FTAs (e.g. /dev/mapper/twsvg-twslv), "
        "for extend_filesystem where an FTA's host facts do not name one",
    )
    link_latency_failure_ms: float = Field(
        default=1000.0, gt=0, description="Average latency at which an FTA link counts as failed"
    )

    # Predictive maintenance workflow
    maintenance_history_days: int = Field(
        default=30, ge=2, description="Days of samples and job runs each maintenance run reads"
    )
    maintenance_review_timeout_seconds: int = Field(
        default=8 * 3600,
        ge=1,
        description="How long a review waits in the Prefect UI before every action is rejected",
    )
    maintenance_review_poll_interval_seconds: int = Field(
        default=10, ge=1, description="How often the paused flow checks for the reviewer's answer"
    )
    maintenance_heartbeat_seconds: float = Field(
        default=30.0,
        gt=0,
        description="How often the process driving a maintenance run says it is alive, also "
        "while the run waits paused for its review",
    )
    maintenance_heartbeat_stale_seconds: float = Field(
        default=180.0,
        gt=0,
        description="A maintenance run silent this long counts as abandoned (its process died): "
        "the next run takes it over; until then a new run leaves it to its owner and ends",
    )
    maintenance_execute_actions: bool = Field(
        default=False,
        description="Run approved actions for real; otherwise they are audited as dry runs",
    )
    maintenance_action_timeout_seconds: float = Field(
        default=600.0, gt=0, description="How long an action's job is followed in the plan"
    )
    maintenance_action_poll_seconds: float = Field(
        default=10.0, gt=0, description="How often the plan is read while an action's job runs"
    )
    maintenance_action_output_max_bytes: int = Field(
        default=16 * 1024, ge=256, description="An action's joblog keeps only its end"
    )
    maintenance_tws_user: str = Field(
        default="twsuser",
        pattern=r"^[A-Za-z_][A-Za-z0-9_.-]{0,31}$",
        description="The TWS user on the FTAs an action's ad hoc job runs as (its userName)",
    )
    maintenance_effect_wait_seconds: float = Field(
        default=900.0,
        ge=0,
        description="How long a run waits for an FTA's next sample to see whether its action "
        "helped; later samples are read by the next run",
    )

    # Auto-learning (weekly): what it needs before it changes anything, and its bounds
    learning_min_outcomes: int = Field(
        default=30,
        ge=4,
        description="Judged outcomes a kind needs before its confidence is calibrated",
    )
    learning_holdout_fraction: float = Field(
        default=0.3,
        gt=0.0,
        lt=1.0,
        description="Newest share of the data kept out to score a change",
    )
    learning_min_failure_resolutions: int = Field(
        default=20,
        ge=4,
        description="Resolutions with a class the failure text model needs before it is retrained",
    )
    learning_min_alert_reviews: int = Field(
        default=6, ge=4, description="Reviewed alerts a rule × FTA needs before it is tuned"
    )
    learning_false_alarm_share: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description="Share of false alarms that gets a rule × FTA tuned",
    )
    learning_alert_max_samples: int = Field(
        default=12, ge=1, description="Highest sustained-samples count tuning may set"
    )
    learning_alert_threshold_step: float = Field(default=1.0, gt=0.0)
    learning_alert_max_threshold_steps: int = Field(
        default=3, ge=0, description="How many threshold steps tuning may add to a rule"
    )
    learning_model_held_out_days: int = Field(
        default=7, ge=1, description="Last days of a series kept out to score a model preference"
    )
    learning_min_action_reviews: int = Field(
        default=8,
        ge=4,
        description="Reviewer decisions a finding kind × action needs before its policy changes",
    )
    learning_action_withhold_share: float = Field(
        default=0.8,
        gt=0.5,
        le=1.0,
        description="Share of rejections that stops a finding kind × action being proposed",
    )
    learning_action_auto_share: float = Field(
        default=0.9,
        gt=0.5,
        le=1.0,
        description="Share of approvals that lets an auto-approvable action skip the review",
    )

    @field_validator("capacity_price_sheet")
    @classmethod
    def _price_sheet_loads(cls, value: str) -> str:
        load_price_sheet(value)
        return value

    @field_validator("capacity_schedule_timezone")
    @classmethod
    def known_time_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"{value!r} is not an IANA time zone (e.g. 'Europe/Paris')") from error
        return value

    @model_validator(mode="after")
    def dask_address_needs_dask(self) -> "Settings":
        if self.dask_address and self.task_runner != "dask":
            raise ValueError(
                "dask_address is set but task_runner is not dask; set RESYNC_TASK_RUNNER=dask to "
                "run on that cluster, or unset RESYNC_DASK_ADDRESS"
            )
        return self

    @model_validator(mode="after")
    def raw_history_within_retention(self) -> "Settings":
        if self.raw_history_days > self.retention_days:
            raise ValueError(
                f"raw_history_days ({self.raw_history_days}) exceeds retention_days "
                f"({self.retention_days}); keep raw samples at most as long as history"
            )
        return self

    @model_validator(mode="after")
    def heartbeat_stale_after_missed_beats(self) -> "Settings":
        # A live run must survive a late beat or two, or a new run would take it over.
        if self.maintenance_heartbeat_stale_seconds < 3 * self.maintenance_heartbeat_seconds:
            raise ValueError(
                "maintenance_heartbeat_stale_seconds must be at least three heartbeats "
                f"({3 * self.maintenance_heartbeat_seconds:g} s) so a live run is never taken over"
            )
        return self

    @model_validator(mode="after")
    def refuse_placeholder_secrets(self) -> "Settings":
        if self.environment == "development":
            return self
        for name in ("anthropic_api_key", "hwa_password", "hwa_token", "link_signing_secret"):
            value = getattr(self, name)
            if value is not None and value.get_secret_value().lower() in PLACEHOLDER_SECRETS:
                raise ValueError(
                    f"{name} is a placeholder value; set a real secret or unset it "
                    f"(placeholders are refused when environment={self.environment})"
                )
        link_secret = self.link_signing_secret
        if link_secret is not None and len(link_secret.get_secret_value()) < MIN_LINK_SECRET:
            raise ValueError(
                f"link_signing_secret is shorter than {MIN_LINK_SECRET} characters; use a random "
                "one, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
            )
        return self

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_block:
            from resync.db.connection_block import url_from_block

            return url_from_block(self.database_block)
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'resync.db').resolve()}"


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
