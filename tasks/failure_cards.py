"""Root-cause cards of a decision-support run: stored one per failed run (the API serves them),
published as one artifact per flow run (a table of every card, the first few in full).

One artifact per run, under one key for every run, keeps what Prefect's database records
proportionate to the run, not to how many jobs failed.
"""

import uuid
from collections import Counter
from datetime import datetime
from typing import Any

from prefect import get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE

from resync.db.engine import session_scope
from resync.joblog.recommendation import card_markdown
from resync.joblog.store import store_failure_analysis
from tasks.database import database_task

# One key for every run: the Artifacts page shows the latest run's cards, each run keeps its own.
ARTIFACT_KEY = "decision-support"
# Cards shown in full in the run's artifact; a larger run lists every card in its table only.
FULL_CARDS = 20
CARD_COLUMNS = (
    "run_id",
    "workstation",
    "job_stream",
    "job_name",
    "return_code",
    "failure_class",
    "confidence",
    "method",
    "explanation",
    "evidence",
    "resource_state",
    "run_history",
    "similar_cases",
    "suggested_fix",
    "analyst",
    "analyst_note",
)


@database_task
def store_failure_cards(
    cards: list[dict[str, Any]], joblogs: list[str], flow_run_id: str | None
) -> None:
    """Store each run's card (replacing an earlier one) with the redacted joblog it came from."""
    with session_scope() as session:
        for card, joblog in zip(cards, joblogs, strict=True):
            row = {name: card[name] for name in CARD_COLUMNS}
            row["failed_at"] = datetime.fromisoformat(card["failed_at"])
            row["joblog"] = joblog
            row["flow_run_id"] = None if flow_run_id is None else uuid.UUID(flow_run_id)
            store_failure_analysis(session, row)
    get_run_logger().info("Stored %d root-cause card(s)", len(cards))


def _cell(text: Any, width: int = 160) -> str:
    text = str(text).replace("|", "\\|").replace("\n", " ").replace("`", "'")
    return text if len(text) <= width else f"{text[: width - 1]}…"


def cards_markdown(cards: list[dict[str, Any]]) -> str:
    """Every card of a run in one table, in the order they failed, the first few also in full."""
    by_class = Counter(card["failure_class"] for card in cards)
    ordered = sorted(cards, key=lambda card: card["failed_at"])
    lines = [
        f"# Root causes of {len(cards)} failed job run(s)",
        "",
        ", ".join(f"{name}: {count}" for name, count in by_class.most_common()),
        "",
        "Each card in full, with its joblog: `GET /api/v1/jobs/failures/<run>/analysis` "
        "(a `workflows:read` key).",
        "",
        "| failed at | FTA | job | run | root cause | confidence | decisive line | suggested fix |",
        "|---|---|---|---|---|---:|---|---|",
        *(
            f"| {card['failed_at']} | {_cell(card['workstation'])} | "
            f"{_cell(card['job_stream'])}.{_cell(card['job_name'])} | {_cell(card['run_id'])} | "
            f"{card['failure_class']} | {card['confidence']:.2f} | "
            f"{_cell(card['evidence'][0]['text'] if card['evidence'] else '—')} | "
            f"{_cell(card['suggested_fix'])} |"
            for card in ordered
        ),
    ]
    shown = ordered[:FULL_CARDS]
    if len(shown) < len(ordered):
        lines += ["", f"The first {len(shown)} in full; the others through the API."]
    return "\n".join(lines) + "\n\n" + "\n".join(card_markdown(card) for card in shown)


@task(cache_policy=NONE)
def publish_failure_cards(cards: list[dict[str, Any]]) -> None:
    """The run's cards as one markdown artifact, under the key every decision-support run uses."""
    create_markdown_artifact(
        key=ARTIFACT_KEY,
        markdown=cards_markdown(cards),
        description=f"Root causes of {len(cards)} failed job run(s)",
    )
