"""Predictive maintenance analysing a few FTAs per task run finds what it finds analysing the
whole estate in one: the same findings, with the same figures, whatever the groups.

The job tests are the reason it could differ: their p-values are adjusted over every job of the
estate, so a group of FTAs on its own would adjust them over its own jobs only.
"""

import pytest

from resync.settings import get_settings
from tests.support.maintenance_estate import FAN_OUT_ESTATE, load_estate_on_grid
from tests.support.maintenance_prefect import completed_task_runs, run_and_read_findings

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")


def test_groups_of_one_or_two_ftas_find_what_one_group_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_TIMEOUT_SECONDS", "2")
    monkeypatch.setenv("RESYNC_MAINTENANCE_REVIEW_POLL_INTERVAL_SECONDS", "1")
    same_rows_until = load_estate_on_grid(FAN_OUT_ESTATE)
    runs = {}
    for ftas_per_task in (50, 2, 1):
        monkeypatch.setenv("RESYNC_FTAS_PER_TASK", str(ftas_per_task))
        get_settings.cache_clear()
        runs[ftas_per_task] = run_and_read_findings()

    assert runs[1]["at"] < same_rows_until, "the runs' windows no longer hold the same rows"
    whole = runs[50]["findings"]
    kinds = {(finding[0], finding[1]) for finding in whole}
    assert {("FTA001", "disk_filling"), ("FTA002", "job_failures")} <= kinds
    assert {("FTA004", "message_file_filling"), ("FTA005", "memory_leak")} <= kinds
    assert runs[2]["findings"] == whole
    assert runs[1]["findings"] == whole
    # Five FTAs analysed in one, three and five task runs; the two FTAs with job problems
    # correlated in one, one and two.
    fanned_out = {
        name: [completed_task_runs([run["flow_run_id"]])[name] for run in runs.values()]
        for name in ("analyze_fta_degradation", "correlate_degradations")
    }
    assert fanned_out == {"analyze_fta_degradation": [1, 3, 5], "correlate_degradations": [1, 1, 2]}
