"""The demo estate's job runs, as the fake master's plan (`resync.demo.master`) serves them.

Every demo FTA runs three jobs; on the disk-filling FTA the hourly extract slows down as its
disk fills, the memory-leaking FTA's archive job starts failing in the last week, the flaky
link's jobs abend now and then, and everywhere a run abends rarely. Runs still going at `end`
are in EXEC without an end. An abended run's joblog says why, as real jobs print it: the disk
filling FTA runs out of space, the memory-leaking one out of heap, the flaky link times out
reaching its database, and elsewhere a deadlock (ORA-00060), a predecessor not complete, a
permission or a bug no class describes.

`python -m resync.demo.jobs --port N` serves that plan from a fake master (`resync.demo.master`),
adding the runs due every five minutes, until SIGTERM; it accepts RESYNC_HWA_USER and
RESYNC_HWA_PASSWORD, and logs its plan, each refresh and every request it serves. It takes the
approved maintenance actions as ad hoc jobs on the demo FTAs (READY 15 s, EXEC 25 s, as the TWS
user), and what they change on an FTA shows in its next samples (`resync.demo.fta_changes`).
`resync run` starts it so the job-history sync has a master (its log: `.resync/demo-hwa.log`).
"""

import argparse
import logging
import random
import signal
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from resync.demo.adhoc_jobs import AdHocJobs
from resync.demo.estate import FtaProfile, demo_estate
from resync.demo.fta_changes import FILE_NAME as FTA_CHANGES
from resync.demo.fta_changes import DemoFtas
from resync.demo.master import FakeHwa, plan_job
from resync.logs import configure_logging
from resync.settings import get_settings

# Named, not __name__: run with `python -m`, the module is __main__, outside Resync's loggers.
logger = logging.getLogger("resync.demo.jobs")

REFRESH_SECONDS = 300
# (job stream, job name, hours between runs, typical minutes)
DEMO_JOBS = (
    ("DAILY_ETL", "EXTRACT_ORDERS", 1, 4.0),
    ("BACKUP", "ARCHIVE_LOGS", 6, 10.0),
    ("REPORTS", "DAILY_SUMMARY", 24, 15.0),
)


# The decisive lines of an abended run, by what went wrong; {job} is the job's name in lowercase.
FAILURE_LINES = {
    "disk_full": (
        "Extracting orders changed since the last run",
        "gzip: /opt/tws/work/{job}.dat.gz: No space left on device",
        "{job}: extract aborted, see previous errors",
    ),
    "out_of_memory": (
        "Compressing application logs older than 2 days",
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
        "\tat java.base/java.util.Arrays.copyOf(Arrays.java:3537)",
        "\tat com.example.archiver.LogArchiver.compress(LogArchiver.java:88)",
    ),
    "connection_failure": (
        "ssh: connect to host files01 port 22: Connection timed out; retrying",
        "Reconnected to files01 on attempt 2",
        "SQL*Plus: Release 19.0.0.0.0 - Production",
        "ERROR:",
        "ORA-12170: TNS:Connect timeout occurred",
        "SP2-0751: Unable to connect to Oracle.  Exiting SQL*Plus",
    ),
    "database_error": (
        "SQL> UPDATE orders SET extracted = 'Y' WHERE batch_id = :batch;",
        "ERROR at line 1:",
        "ORA-00060: deadlock detected while waiting for resource",
    ),
    "dependency_not_satisfied": (
        "Checking today's inputs",
        "ERROR: predecessor DAILY_ETL.EXTRACT_ORDERS has not completed for today; no summary",
    ),
    "permission_denied": (
        "tar: /var/log/app/audit.log: Cannot open: Permission denied",
        "tar: Exiting with failure status due to previous errors",
    ),
    "unknown": (
        'Exception in thread "main" java.lang.NullPointerException',
        "\tat com.example.reports.Summary.total(Summary.java:41)",
    ),
}


def _failure_kind(profile: FtaProfile, job: str, run_id: str) -> str:
    if profile.scenario == "disk_filling":
        return "disk_full"
    if profile.scenario == "flaky_link":
        return "connection_failure"
    if profile.scenario == "memory_leak" and job == "ARCHIVE_LOGS":
        return "out_of_memory"
    usual = {
        "EXTRACT_ORDERS": "database_error",
        "ARCHIVE_LOGS": "permission_denied",
        "DAILY_SUMMARY": "dependency_not_satisfied",
    }
    # A run of its own generator: the plan's draws (and so every duration) stay as they were.
    return "unknown" if random.Random(run_id).random() < 0.2 else usual[job]


def failed_joblog(profile: FtaProfile, stream: str, job: str, run_id: str, start: datetime) -> str:
    """The joblog of an abended run, framed as TWS writes it, saying why the run failed."""
    frame = "=" * 63
    lines = (
        frame,
        f"= JOB       : {profile.name}#{stream}.{job}",
        "= USER      : twsuser",
        f"= JCLFILE   : /opt/tws/jobs/{job.lower()}.sh",
        f"= {start:%a %m/%d/%y %H:%M:%S} UTC",
        frame,
        *(
            line.format(job=job.lower())
            for line in FAILURE_LINES[_failure_kind(profile, job, run_id)]
        ),
        frame,
        "= Exit Status : 12",
        frame,
    )
    return "\n".join(lines) + "\n"


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _abend_rate(profile: FtaProfile, job: str, days: float, history_days: int) -> float:
    if profile.scenario == "flaky_link":
        return 0.15
    if profile.scenario == "memory_leak" and job == "ARCHIVE_LOGS" and days > history_days - 7:
        return 0.5
    return 0.01


def _minutes(profile: FtaProfile, job: str, typical: float, days: float, rng: random.Random):
    minutes = typical * rng.lognormvariate(0, 0.1)
    if profile.scenario == "disk_filling" and job == "EXTRACT_ORDERS":
        disk = profile.disk_start + profile.disk_growth_per_day * days
        minutes *= 1 + 1.5 * max(0.0, disk - profile.disk_start) / 18
    return minutes


def demo_plan(
    profiles: list[FtaProfile], start: datetime, end: datetime, history_days: int, seed: int = 3
) -> tuple[list[dict[str, Any]], dict[str, str]]:
    """Plan job items (as the master answers them) and the joblogs of the abended runs.

    Each job draws from its own seeded generator, so a later `end` serves the same earlier runs
    and adds the new ones (the demo master refreshes its plan as time passes).
    """
    jobs, joblogs = [], {}
    for profile in profiles:
        for stream, job, every_hours, typical in DEMO_JOBS:
            rng = random.Random(f"{seed}:{profile.name}:{job}")
            moment, number = start + timedelta(minutes=rng.uniform(0, 50)), 0
            while moment < end:
                elapsed_days = (moment - start) / timedelta(days=1)
                finish = moment + timedelta(
                    minutes=_minutes(profile, job, typical, elapsed_days, rng)
                )
                abended = rng.random() < _abend_rate(profile, job, elapsed_days, history_days)
                status = "EXEC" if finish > end else "ABEND" if abended else "SUCC"
                run_id = f"{profile.name};{stream};{job};{number}"
                jobs.append(
                    plan_job(
                        run_id,
                        workstation=profile.name,
                        job_stream=stream,
                        job_name=job,
                        status=status,
                        return_code={"SUCC": 0, "ABEND": 12, "EXEC": None}[status],
                        start=_iso(moment),
                        end=None if status == "EXEC" else _iso(finish),
                        estimated_duration_ms=int(typical * 60_000),
                    )
                )
                if status == "ABEND":
                    joblogs[run_id] = failed_joblog(profile, stream, job, run_id, moment)
                moment += timedelta(hours=every_hours)
                number += 1
    return jobs, joblogs


def _plan_summary(jobs: list[dict[str, Any]], joblogs: dict[str, str]) -> str:
    running = sum(job["status"]["internalStatus"] == "EXEC" for job in jobs)
    return f"{len(jobs)} job runs ({len(joblogs)} abended, {running} running)"


def main() -> None:
    """Serve the demo estate's plan on 127.0.0.1 until SIGTERM or Ctrl-C."""
    configure_logging(get_settings().log_level, get_settings().log_format)
    parser = argparse.ArgumentParser(description="A fake HWA master serving the demo plan")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workstations", type=int, default=20)
    parser.add_argument("--days", type=int, default=30)
    arguments = parser.parse_args()
    settings = get_settings()
    if not settings.hwa_user or settings.hwa_password is None:
        parser.error("set RESYNC_HWA_USER and RESYNC_HWA_PASSWORD: the demo master checks them")
    profiles = demo_estate(arguments.workstations)
    start = datetime.now(UTC) - timedelta(days=arguments.days)
    jobs, joblogs = demo_plan(profiles, start, datetime.now(UTC), arguments.days)
    stopped = threading.Event()
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, lambda *_: stopped.set())
    ftas = DemoFtas({p.name: p for p in profiles}, start, settings.data_dir / FTA_CHANGES)
    with FakeHwa(
        user=settings.hwa_user,
        password=settings.hwa_password.get_secret_value(),
        jobs=jobs,
        joblogs=joblogs,
        port=arguments.port,
        workstations=set(ftas.profiles),
        job_users={settings.maintenance_tws_user},
        adhoc=AdHocJobs(start_after=15, run_seconds=25, on_end=ftas.job_ended),
    ) as fake:
        logger.info(
            "fake HWA master on %s: %s of %d FTAs over %d days, new runs every %d s",
            fake.url,
            _plan_summary(jobs, joblogs),
            len(profiles),
            arguments.days,
            REFRESH_SECONDS,
        )
        while not stopped.wait(REFRESH_SECONDS):
            known = len(fake.jobs)
            fake.jobs, fake.joblogs = demo_plan(profiles, start, datetime.now(UTC), arguments.days)
            logger.info(
                "plan refreshed: %s (%d new)",
                _plan_summary(fake.jobs, fake.joblogs),
                len(fake.jobs) - known,
            )
    logger.info("fake HWA master stopped")


if __name__ == "__main__":
    main()
