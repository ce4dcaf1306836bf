"""analyze_degradation → correlate → predict → recommend on a small simulated estate."""

from datetime import UTC, datetime, timedelta

import pytest

from resync.demo.simulation import SCENARIO_KINDS, benchmark_labels, generate_estate
from resync.maintenance.correlation import correlate, strength_of
from resync.maintenance.degradation import analyze_degradation
from resync.maintenance.prediction import crossing, predict
from resync.maintenance.recommendation import recommend
from resync.maintenance.types import Degradation, Finding, TimeWindow
from resync.settings import Settings

NOW = datetime(2026, 11, 27, 12, tzinfo=UTC)
SETTINGS = Settings()
LABELS = list(SCENARIO_KINDS)


@pytest.fixture(scope="module")
def estate():
    return generate_estate(LABELS, now=NOW, seed=11)


@pytest.fixture(scope="module")
def findings(estate) -> list[Finding]:
    degradations = analyze_degradation(estate.metrics, estate.jobs, now=NOW, settings=SETTINGS)
    correlations = correlate(degradations, estate.metrics, estate.jobs)
    predictions = predict(degradations, correlations, now=NOW, settings=SETTINGS)
    return recommend(predictions, estate.host_facts)


def by_kind(findings: list[Finding]) -> dict[str, Finding]:
    return {finding.kind: finding for finding in findings}


def test_each_injected_problem_is_found_on_its_fta_and_controls_have_none(estate, findings):
    expected = {(s.workstation, s.kind) for s in estate.scenarios if s.kind is not None}
    assert {(f.workstation, f.kind) for f in findings} == expected


def test_failure_dates_are_close_to_the_truth_and_inside_their_interval(estate, findings):
    truth = {s.workstation: s.failure_at for s in estate.scenarios}
    dated = [f for f in findings if f.predicted_failure_date is not None]
    assert len(dated) == 4
    for finding in dated:
        actual = truth[finding.workstation].date()
        assert abs((finding.predicted_failure_date - actual).days) <= 4, finding.evidence_summary
        assert 0.5 <= finding.confidence <= 1.0
        assert finding.evidence["earliest_date"] <= finding.predicted_failure_date.isoformat()


def test_the_disk_finding_carries_the_creeping_job_and_sized_actions(estate, findings):
    disk = by_kind(findings)["disk_filling"]
    (job,) = disk.evidence["jobs"]
    assert job["correlation"]["resource"] == "disk_percent"
    assert job["correlation"]["strength"] == "strong" and job["correlation"]["value"] > 0.7
    assert "ETL.EXTRACT_ORDERS slowed" in disk.evidence_summary
    commands = {action.command: action for action in disk.actions}
    assert set(commands) == {"clean_stdlist", "extend_filesystem"}
    assert "MB/day)" in commands["clean_stdlist"].description
    extend = commands["extend_filesystem"]
    slope = disk.evidence["degradations"][0]["value"]
    total_gb = estate.host_facts[disk.workstation]["disk_total_gb"]
    assert extend.arguments["add_gb"] % 5 == 0
    assert extend.arguments["add_gb"] >= slope / 100 * total_gb * 90
    assert not extend.auto_approvable


def test_message_file_and_drain_actions(findings):
    kinds = by_kind(findings)
    (resize,) = kinds["message_file_filling"].actions
    assert resize.command == "resize_message_file"
    assert resize.arguments["message_file"] == "Mailbox.msg"
    assert resize.arguments["size_mb"] >= 20
    for kind in ("memory_leak", "degrading_link"):
        (drain,) = kinds[kind].actions
        assert (drain.command, drain.arguments["job_limit"]) == ("move_jobs_off_workstation", 0)


def test_a_job_starting_to_fail_is_a_finding_without_a_date(findings):
    failing = by_kind(findings)["job_failures"]
    assert failing.resource == "job:BILLING.RUN_INVOICES"
    assert failing.predicted_failure_date is None and failing.actions == []
    assert failing.confidence > 0.99
    assert "Fisher" in failing.evidence_summary


def test_the_logical_volume_comes_from_the_facts_or_the_estate_setting(findings):
    disk = by_kind(findings)["disk_filling"]
    facts = {disk.workstation: {"disk_total_gb": 100}}
    (unknown,) = recommend([disk], facts, SETTINGS)
    assert [action.command for action in unknown.actions] == ["clean_stdlist"]

    estate_wide = Settings(maintenance_logical_volume="/dev/rootvg/optlv")
    (known,) = recommend([disk], facts, estate_wide)
    extend = next(a for a in known.actions if a.command == "extend_filesystem")
    assert extend.arguments["logical_volume"] == "/dev/rootvg/optlv"
    with pytest.raises(ValueError, match="maintenance_logical_volume"):
        Settings(maintenance_logical_volume="/dev/sda1; reboot")


def test_findings_survive_a_json_round_trip(findings):
    for finding in findings:
        assert Finding.model_validate(finding.model_dump(mode="json")) == finding


def degradation(level: float, slope: float, stderr: float) -> Degradation:
    return Degradation(
        workstation="FTA01",
        kind="disk_filling",
        resource="disk_percent",
        statistic="slope_per_day",
        value=slope,
        window=TimeWindow(start=NOW - timedelta(days=14), end=NOW),
        detail={"level_now": level, "daily_peak_excess": 0.0, "slope_stderr_per_day": stderr},
    )


def test_confidence_is_the_chance_of_crossing_within_the_horizon():
    soon = crossing(degradation(80, 1.0, 0.01), 90, horizon_days=28, drift=0.0)
    edge = crossing(degradation(62, 1.0, 0.1), 90, horizon_days=28, drift=0.0)
    unsure = crossing(degradation(62, 1.0, 0.1), 90, horizon_days=28, drift=0.2)
    assert soon.expected_days == pytest.approx(10) and soon.confidence > 0.999
    assert edge.expected_days == pytest.approx(28) and edge.confidence == pytest.approx(0.5)
    assert unsure.confidence == pytest.approx(0.5)
    assert unsure.latest_days - unsure.earliest_days > edge.latest_days - edge.earliest_days


def test_a_crossing_beyond_the_horizon_is_not_predicted():
    far = degradation(30, 1.0, 0.01)
    assert predict([far], [], now=NOW, settings=SETTINGS) == []


def test_strength_labels():
    assert [strength_of(v) for v in (0.1, -0.35, 0.55, -0.9)] == [
        "none",
        "weak",
        "moderate",
        "strong",
    ]


def test_benchmark_mix_has_the_requested_size():
    labels = benchmark_labels(200)
    assert len(labels) == 200 and labels.count("disk_filling") == 24
    with pytest.raises(ValueError, match="unknown scenario labels"):
        generate_estate(["volcano"])
