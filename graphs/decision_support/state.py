"""State of the decision-support graph for one failed job run."""

from typing import Any, TypedDict


class DecisionSupportState(TypedDict, total=False):
    """What each node adds, in order.

    run_id: the plan's job-run id of the failed run (input).
    context: the run, its redacted joblog, the job's run history, the FTA's resource state.
    classification: failure class, evidence lines, confidence, method, analyst.
    similar_cases: past failures ranked by joblog similarity, with their resolutions.
    card: the root-cause card as stored and published.
    """

    run_id: str
    context: dict[str, Any]
    classification: dict[str, Any]
    similar_cases: list[dict[str, Any]]
    card: dict[str, Any]
