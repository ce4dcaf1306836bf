"""A flow run's counts as a two-column markdown table in the Prefect UI."""

from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE


@task(cache_policy=NONE)
def publish_counts(key: str, title: str, description: str, counts: dict[str, Any]) -> None:
    """`counts` as the artifact `key`: one row per name, under `title`."""
    rows = "\n".join(f"| {name} | {value} |" for name, value in counts.items())
    create_markdown_artifact(
        key=key,
        markdown=f"## {title}\n\n| | |\n|---|---|\n{rows}\n",
        description=description,
    )
