"""The demo master's abended runs classify by what went wrong on their FTA, as real joblogs do."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from resync.demo.estate import demo_estate
from resync.demo.jobs import demo_plan
from resync.joblog.classification import classify_joblog
from resync.joblog.redaction import redact_joblog


def test_each_demo_failure_classifies_as_its_fta_scenario_says() -> None:
    profiles = demo_estate(20)
    scenario = {profile.name: profile.scenario for profile in profiles}
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    jobs, joblogs = demo_plan(profiles, now - timedelta(days=30), now, history_days=30)
    abended = {job["id"] for job in jobs if job["status"]["internalStatus"] == "ABEND"}
    assert set(joblogs) == abended

    by_scenario: dict[tuple[str, str], Counter[str]] = {}
    for run_id, text in joblogs.items():
        workstation, _, job, _ = run_id.split(";")
        result = classify_joblog(redact_joblog(text, 64 * 1024))
        assert result.evidence[-1].text == "= Exit Status : 12"
        if result.failure_class != "unknown":
            assert result.method == "catalogue"
            assert result.confidence >= 0.6
        key = (scenario[workstation], job if scenario[workstation] == "memory_leak" else "*")
        by_scenario.setdefault(key, Counter())[result.failure_class] += 1

    assert set(by_scenario[("disk_filling", "*")]) == {"disk_full"}
    assert set(by_scenario[("flaky_link", "*")]) == {"connection_failure"}
    assert set(by_scenario[("memory_leak", "ARCHIVE_LOGS")]) == {"out_of_memory"}
    healthy = by_scenario[("healthy", "*")]
    assert set(healthy) == {
        "database_error",
        "permission_denied",
        "dependency_not_satisfied",
        "unknown",
    }
    assert healthy["unknown"] < sum(healthy.values()) / 2


def test_the_flaky_links_recovered_ssh_error_is_not_the_cause() -> None:
    profiles = [profile for profile in demo_estate(4) if profile.scenario == "flaky_link"]
    now = datetime(2026, 11, 27, 12, tzinfo=UTC)
    _, joblogs = demo_plan(profiles, now - timedelta(days=30), now, history_days=30)
    result = classify_joblog(next(iter(joblogs.values())))
    assert result.failure_class == "connection_failure"
    assert [e.text for e in result.evidence] == [
        "ORA-12170: TNS:Connect timeout occurred",
        "SP2-0751: Unable to connect to Oracle.  Exiting SQL*Plus",
        "= Exit Status : 12",
    ]
