"""An approved action as the ad hoc job it runs as, and what the demo FTA makes of it."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from resync.demo.adhoc_jobs import AdHocRun
from resync.demo.estate import demo_estate, sample
from resync.demo.fta_changes import DemoFtas, apply_changes, read_changes
from resync.maintenance.actions import ActionError, build_argv, propose
from resync.maintenance.execution import ad_hoc_job, job_name, task_string


def test_the_job_runs_the_catalogue_argv_on_the_named_fta_under_a_name_of_its_own() -> None:
    limit = propose("FTA01", "memory_leak", "move_jobs_off_workstation", "drain", job_limit=0)
    job = ad_hoc_job("run-1", limit, build_argv(limit), "twsuser")

    assert (job.workstation, job.user_name) == ("FTA01", "twsuser")
    # conman's own separator is quoted, so the FTA's shell passes it to conman untouched.
    assert job.task_string == "conman 'limit cpu=FTA01;0'"
    assert job.job_name == job_name("run-1", limit)
    assert job.job_name.startswith("RSY_MOVE_JOBS_OFF_WORKSTATION_") and len(job.job_name) == 38
    # The same action in another run is another job; in the same run, the same job.
    assert job_name("run-2", limit) != job.job_name == job_name("run-1", limit)


@pytest.mark.parametrize(
    "argument", ["$(id)", "a`b`", "x && rm -rf /", "a|b", "'quoted'", "two\nlines", " leading"]
)
def test_an_argument_a_shell_could_read_as_code_never_reaches_the_task_string(argument) -> None:
    with pytest.raises(ActionError, match="refused in a task string"):
        task_string(["rmstdlist", argument])


def test_the_demo_fta_shows_its_clean_up_and_extension_in_its_next_samples(tmp_path) -> None:
    profiles = {profile.name: profile for profile in demo_estate(4)}
    filling = next(p for p in profiles.values() if p.scenario == "disk_filling")
    start = datetime.now(UTC) - timedelta(days=30)
    ftas = DemoFtas(profiles, start, tmp_path / "changes.json")
    before = sample(filling, datetime.now(UTC), start, random.Random(1))

    def ended(task: str, return_code: int = 0) -> None:
        run = AdHocRun(
            "id", "key", filling.name, "RSY_X", task, "twsuser", 1, 0.0, datetime.now(UTC)
        )
        run.return_code = return_code
        ftas.job_ended(run)

    ended("lvextend --resizefs --size +50G /dev/vg/lv", return_code=5)
    assert read_changes(ftas.path) == {}
    ended("rmstdlist 10")
    ended("lvextend --resizefs --size +50G /dev/vg/lv")
    changes = read_changes(ftas.path)
    assert changes[filling.name] == {
        "freed_percent": pytest.approx(12.0, abs=0.01),
        "added_gb": 50.0,
    }

    after = apply_changes(
        {**before, "metrics": dict(before["metrics"]), "host": dict(before["host"])}, changes
    )
    total = filling.disk_total_gb
    used = (before["metrics"]["disk_percent"] - 12.0) / 100 * total
    assert after["metrics"]["disk_percent"] == pytest.approx(100 * used / (total + 50), abs=0.02)
    assert after["host"]["disk_total_gb"] == total + 50
