"""Decision support reading and classifying the failed runs a batch per task run stores the cards
it stores with every run in one batch: the same classes, evidence and similar past cases (each
run compared with the runs before it, whichever batch they were in)."""

import pytest

from resync.settings import get_settings
from tests.support.failed_runs import CARD_COLUMNS, analyse_and_forget, store_failed_runs

pytestmark = pytest.mark.usefixtures("prefect_api", "database_url")


def test_batches_of_one_or_two_runs_store_the_cards_one_batch_stores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_ids = store_failed_runs(7)
    runs = {}
    for batch_runs in (100, 2, 1):
        monkeypatch.setenv("RESYNC_FAILURE_BATCH_RUNS", str(batch_runs))
        get_settings.cache_clear()
        runs[batch_runs] = analyse_and_forget(run_ids)

    assert [run["fetched"] for run in runs.values()] == [1, 4, 7]
    whole = runs[100]["cards"]
    similar = [card[CARD_COLUMNS.index("similar_cases")] for card in whole.values()]
    assert sum(bool(cases) for cases in similar) >= 3
    assert runs[2]["cards"] == whole
    assert runs[1]["cards"] == whole
