"""Similar past failures (TF-IDF + cosine), the run history and resource context, the fix."""

from datetime import UTC, datetime, timedelta

import polars as pl

from resync.joblog.context import corroborating_readings, resource_state, run_history_summary
from resync.joblog.recommendation import REMEDIES, card_confidence, suggest_fix
from resync.joblog.schemas import PastFailure
from resync.joblog.similarity import normalise_joblog, rank_similar_failures
from resync.joblog.store import METRICS_SCHEMA
from resync.jobs.store import JOB_RUN_SCHEMA
from resync.settings import Settings

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)
DISK = (
    "= JOB : WS1#S.J\ngzip: /data/out/a_20261120.gz: No space left on device\n= Exit Status : 1\n"
)
ORACLE = "ORA-01653: unable to extend table DW.SALES by 128 in tablespace USERS\nExit Status : 8\n"
NETWORK = "curl: (7) Failed to connect to api.partner port 443: Connection refused\n"


def past(run_id: str, text: str, days: int, resolution: str | None = None) -> PastFailure:
    return PastFailure(
        run_id=run_id,
        workstation="WS1",
        job_name="J",
        failed_at=T0 + timedelta(days=days),
        failure_class="disk_full",
        text=text,
        resolution=resolution,
    )


def test_normalising_drops_frames_numbers_dates_and_masks() -> None:
    text = "= JOB : X\n2026-11-27 02:10:00 wrote 1234 rows to /d/f_20261127.csv [REDACTED]\n"
    assert normalise_joblog(text).split() == ["wrote", "rows", "to", "/d/f_", ".csv"]


def test_the_most_similar_come_first_and_unrelated_ones_are_left_out() -> None:
    cases = [
        past("net", NETWORK, 1),
        past("disk-old", DISK.replace("20261120", "20261101"), 2, "Purged /data/out"),
        past("oracle", ORACLE, 3),
    ]
    query = DISK.replace("a_20261120", "a_20261127")
    ranked = rank_similar_failures(query, cases, limit=5)
    assert [case.run_id for case in ranked] == ["disk-old"]
    assert ranked[0].similarity == 1.0
    assert ranked[0].resolution == "Purged /data/out"
    assert rank_similar_failures(ORACLE, cases, limit=5)[0].run_id == "oracle"
    assert rank_similar_failures(query, [], limit=5) == []
    assert rank_similar_failures("12 34\n", cases, limit=5) == []


def test_ties_prefer_a_recorded_resolution_then_the_most_recent() -> None:
    cases = [past("a", DISK, 1), past("b", DISK, 2), past("c", DISK, 0, "Extended /data")]
    assert [c.run_id for c in rank_similar_failures(DISK, cases, limit=2)] == ["c", "b"]


def runs_frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=JOB_RUN_SCHEMA, orient="row")


def test_run_history_compares_the_run_with_earlier_successes() -> None:
    rows = [(f"ok{i}", "SUCC", 0, T0 + timedelta(days=i), None, 600.0) for i in range(4)]
    rows += [("bad0", "ABEND", 12, T0 + timedelta(days=4), None, 30.0)]
    rows += [("this", "ABEND", 12, T0 + timedelta(days=5), None, 1500.0)]
    summary = run_history_summary(runs_frame(rows), "this")
    assert summary["earlier_runs"] == 5
    assert summary["earlier_failures"] == 1
    assert summary["same_return_code_failures"] == 1
    assert summary["median_success_duration_s"] == 600.0
    assert summary["duration_ratio"] == 2.5
    assert summary["last_success_at"] == (T0 + timedelta(days=3)).isoformat()
    assert summary["return_codes"] == [(0, 4), (12, 1)]


def test_resource_state_and_what_corroborates_each_class() -> None:
    samples = [
        (T0 - timedelta(minutes=10), 20.0, 97.0, 91.0, 4.0, 0.0, 1),
        (T0 - timedelta(minutes=5), 25.0, 98.0, 93.0, 900.0, 80.0, 0),
        (T0 + timedelta(minutes=5), 99.0, 50.0, 50.0, 4.0, 0.0, 1),
    ]
    metrics = pl.DataFrame(samples, schema=METRICS_SCHEMA, orient="row")
    alerts = [{"rule": "disk_saturation", "severity": "critical", "message": "disk 93 %"}]
    state = resource_state(metrics, alerts, T0)
    assert state["samples"] == 3
    assert state["at_failure"]["disk_percent"] == 93.0
    assert state["peak"]["cpu_percent"] == 99.0
    assert state["lowest_tcp_connectivity"] == 0
    settings = Settings()
    assert corroborating_readings(state, "disk_full", {}, settings) == [
        "disk at 93.0 % (threshold 90.0 %)",
        "alert disk_saturation (critical): disk 93 %",
    ]
    assert corroborating_readings(state, "out_of_memory", {}, settings) == [
        "memory at 98.0 % (threshold 95.0 %)"
    ]
    assert corroborating_readings(state, "connection_failure", {}, settings) == [
        "the FTA lost TCP connectivity to the master",
        "packet loss reached 80.0 %",
    ]
    assert corroborating_readings(state, "timeout", {"duration_ratio": 2.5}, settings) == [
        "this run lasted 2.5× the job's median successful run"
    ]
    assert corroborating_readings(state, "not_found", {"duration_ratio": 2.5}, settings) == []
    empty = resource_state(metrics.clear(), [], T0)
    assert (empty["samples"], empty["at_failure"], empty["peak"]) == (0, {}, {})


def test_fix_and_confidence() -> None:
    [case] = rank_similar_failures(DISK, [past("p", DISK, 1, "Purged /data/out")], limit=1)
    assert suggest_fix("disk_full", [case]) == (
        "A similar failure (J on WS1, 2026-11-21, similarity 1.00) was resolved by: "
        f"Purged /data/out — Otherwise: {REMEDIES['disk_full']}"
    )
    assert (
        suggest_fix("disk_full", [case.model_copy(update={"resolution": None})])
        == REMEDIES["disk_full"]
    )
    assert (
        suggest_fix("disk_full", [case.model_copy(update={"similarity": 0.3})])
        == REMEDIES["disk_full"]
    )
    signature = {"failure_class": "disk_full", "confidence": 0.9}
    assert card_confidence(signature, ["disk at 97 %"]) == 0.95
    assert card_confidence(signature, []) == 0.9
    assert card_confidence({"failure_class": "unknown", "confidence": 0.0}, ["x"]) == 0.0
