"""A maintenance run says in its Prefect log what it is doing between its start and its findings:
the window it reads, what it loaded, what it analyses and what each step found."""

import re
import time
import uuid

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

from graphs.maintenance import nodes
from tasks.maintenance import recommend_actions
from tests.support.maintenance_estate import REVIEWED_ESTATE, load_estate

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")


@flow
def analyse_estate() -> int:
    state = nodes.fetch_data({})
    state |= nodes.analyze_degradation(state)
    state |= nodes.correlate(state)
    state |= nodes.predict(state)
    return len(recommend_actions(state["predictions"], state["host_facts"]))


def run_log(flow_run_id: uuid.UUID, last: str, timeout: float = 30) -> list[str]:
    """The flow run's log lines as the Prefect UI shows them, once `last` has arrived."""
    deadline = time.monotonic() + timeout
    while True:
        with get_client(sync_client=True) as client:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])),
                limit=200,
            )
        messages = [log.message for log in sorted(logs, key=lambda log: log.timestamp)]
        if any(message.startswith(last) for message in messages) or time.monotonic() > deadline:
            return messages


def test_each_step_says_what_it_reads_analyses_and_finds() -> None:
    load_estate(REVIEWED_ESTATE)

    state = analyse_estate(return_state=True)

    assert state.result() == 1
    messages = run_log(state.state_details.flow_run_id, last="1 findings")
    ours = [m for m in messages if not m.startswith(("Finished in state", "Beginning"))]
    expected = [
        r"counting the history of the last 30 days",
        r"maintenance window \S+ → \S+: 2 FTAs, 12096 samples, (\d+) job runs",
        r"reading the window's samples and job runs to find what is degrading",
        r"read 12096 samples of 2 FTAs and (\d+) job runs in \d+\.\d s",
        r"analysing resource trends, job slowdowns and failure rates of 2 FTAs",
        r"\d+ resource degradations and \d+ job tests in \d+\.\d s",
        r"\d+ degradations: disk_filling \d+, job_slowdown \d+",
        # Only the FTA with a degraded job is read again, to correlate it.
        r"correlating \d+ degradations with their FTAs' resources",
        r"read 6048 samples of 1 FTAs and \d+ job runs in \d+\.\d s",
        r"\d+ correlations",
        r"1 failures predicted within 28 days: disk_filling 1",
        r"1 findings, \d+ actions proposed",
    ]
    assert len(ours) == len(expected), ours
    found = [re.fullmatch(pattern, line) for pattern, line in zip(expected, ours, strict=True)]
    assert all(found), [message for match, message in zip(found, ours, strict=True) if not match]
    assert found[1].group(1) == found[3].group(1), ours
