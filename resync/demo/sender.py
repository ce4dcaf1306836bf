"""Posts the demo estate to a running API as FTAs do: spool-sized batches, then live samples."""

import itertools
import logging
import random
import time
from datetime import UTC, datetime, timedelta

import httpx

from resync.demo.estate import demo_estate, history, sample
from resync.ingest.payload import BATCH_MAX_ITEMS
from resync.settings import get_settings

logger = logging.getLogger(__name__)


def run_demo(api_url: str, key: str, *, workstations: int, days: int, live_interval: float) -> None:
    profiles = demo_estate(workstations)
    interval = timedelta(seconds=get_settings().collector_interval_seconds)
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=days)
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=api_url, headers=headers, timeout=60) as client:
        samples = history(profiles, days, interval, end)
        sent = 0
        while chunk := list(itertools.islice(samples, BATCH_MAX_ITEMS)):
            response = client.post("/api/v1/metrics/workstation/batch", json=chunk)
            response.raise_for_status()
            sent += len(chunk)
        logger.info("demo: posted %d history samples for %d FTAs", sent, len(profiles))
        if live_interval <= 0:
            return
        # The last healthy FTA goes silent: its alert shows after three collector intervals.
        live = profiles[:-1]
        rng = random.Random(5)
        while True:
            now = datetime.now(UTC).replace(microsecond=0)
            for profile in live:
                response = client.post(
                    "/api/v1/metrics/workstation", json=sample(profile, now, start, rng)
                )
                if response.status_code >= 400:
                    logger.warning("demo: %s answered %s", profile.name, response.status_code)
            time.sleep(live_interval)
