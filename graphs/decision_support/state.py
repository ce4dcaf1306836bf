"""State of the decision-support graph for the failed job runs of a flow run."""

from typing import Any, TypedDict


class DecisionSupportState(TypedDict, total=False):
    """What each node adds, in order; every list follows the order of `run_ids`.

    run_ids: the plan's job-run ids of the failed runs (input).
    contexts: each run, its redacted joblog, the job's run history, the FTA's resource state.
    classifications: each run's failure class, evidence lines, confidence, method, analyst.
    similar_cases: per run, past failures ranked by joblog similarity, with their resolutions.
    cards: the root-cause cards as stored.
    """

    run_ids: list[str]
    contexts: list[dict[str, Any]]
    classifications: list[dict[str, Any]]
    similar_cases: list[list[dict[str, Any]]]
    cards: list[dict[str, Any]]
