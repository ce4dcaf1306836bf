"""Posts the demo estate to a running API as FTAs do: spool-sized batches, then live samples,
which show what the demo master's maintenance jobs changed on their FTA.

It logs what it sends: each history batch, then a summary of the live samples every minute,
and every refusal or failure (a live sample the API did not take is not sent again: the next
one follows a few seconds later, as on a real FTA that lost a sample).
"""

import itertools
import logging
import math
import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import httpx

from resync.demo.estate import FtaProfile, demo_estate, history, sample
from resync.demo.fta_changes import FILE_NAME as FTA_CHANGES
from resync.demo.fta_changes import apply_changes, read_changes
from resync.ingest.payload import BATCH_MAX_ITEMS
from resync.settings import get_settings

logger = logging.getLogger(__name__)

LIVE_SUMMARY_SECONDS = 60


def _post_history(
    client: httpx.Client, profiles: list[FtaProfile], days: int, interval: timedelta, end: datetime
) -> None:
    samples = history(profiles, days, interval, end)
    total = math.ceil(timedelta(days=days) / interval) * len(profiles)
    started, sent, batches = time.monotonic(), 0, 0
    while chunk := list(itertools.islice(samples, BATCH_MAX_ITEMS)):
        response = client.post("/api/v1/metrics/workstation/batch", json=chunk)
        if response.is_error:
            logger.error(
                "history batch %d refused: %s %s", batches + 1, response.status_code, response.text
            )
        response.raise_for_status()
        sent, batches = sent + len(chunk), batches + 1
        logger.info(
            "history batch %d: %d samples up to %s (%d of %d sent)",
            batches,
            len(chunk),
            chunk[-1]["timestamp"],
            sent,
            total,
        )
    logger.info(
        "history posted: %d samples of %d FTAs in %d batches, %.0f s",
        sent,
        len(profiles),
        batches,
        time.monotonic() - started,
    )


def _post_live(
    client: httpx.Client, live: list[FtaProfile], start: datetime, live_interval: float
) -> None:
    rng = random.Random(5)
    outcomes: Counter[str] = Counter()
    summary_due = time.monotonic() + LIVE_SUMMARY_SECONDS
    changes_file = get_settings().data_dir / FTA_CHANGES
    while True:
        now = datetime.now(UTC).replace(microsecond=0)
        changes = read_changes(changes_file)
        for profile in live:
            payload = apply_changes(sample(profile, now, start, rng), changes)
            try:
                response = client.post("/api/v1/metrics/workstation", json=payload)
            except httpx.HTTPError as error:
                outcomes["failed"] += 1
                logger.warning("live sample of %s not sent: %s", profile.name, error)
                continue
            if response.is_error:
                outcomes[f"refused {response.status_code}"] += 1
                logger.warning(
                    "live sample of %s refused: %s %s",
                    profile.name,
                    response.status_code,
                    response.text[:300],
                )
            else:
                outcomes["accepted"] += 1
        if time.monotonic() >= summary_due:
            logger.info(
                "live samples in the last %d s: %s",
                LIVE_SUMMARY_SECONDS,
                ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())),
            )
            outcomes.clear()
            summary_due += LIVE_SUMMARY_SECONDS
        time.sleep(live_interval)


def run_demo(api_url: str, key: str, *, workstations: int, days: int, live_interval: float) -> None:
    profiles = demo_estate(workstations)
    interval = timedelta(seconds=get_settings().collector_interval_seconds)
    end = datetime.now(UTC).replace(microsecond=0)
    logger.info(
        "demo estate of %d FTAs (%s the others healthy) posting to %s: %d days of history, "
        "one sample every %d s",
        len(profiles),
        ", ".join(f"{p.name} {p.scenario}" for p in profiles if p.scenario != "healthy") + ";",
        api_url,
        days,
        interval.total_seconds(),
    )
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=60) as client:
        _post_history(client, profiles, days, interval, end)
        if live_interval <= 0:
            return
        # The last healthy FTA goes silent: its alert shows after three collector intervals.
        live = profiles[:-1]
        logger.info(
            "live: a sample of each of %d FTAs every %g s; %s stays silent (its alert opens "
            "after %d missed collector intervals)",
            len(live),
            live_interval,
            profiles[-1].name,
            get_settings().silent_after_intervals,
        )
        _post_live(client, live, end - timedelta(days=days), live_interval)
