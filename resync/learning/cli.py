"""`resync learning`: list the learned changes, revert one, record a verdict on an alert.

The learning modules (scikit-learn, the forecaster) are imported by the commands that use them,
so every other `resync` command starts as fast as before.
"""

from typing import Annotated

import typer

from resync.db.engine import session_scope

learning_app = typer.Typer(help="Auto-learning: learned changes and alert reviews.")


@learning_app.command("list")
def learning_list(
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first")] = 50,
) -> None:
    """Learned changes: id, state, type, target, held-out score before → after, when."""
    from resync.learning.store import list_changes

    with session_scope() as session:
        for change in list_changes(session, limit):
            if change.reverted_at is not None:
                state = "reverted"
            else:
                state = "applied" if change.applied else "declined"
            typer.echo(
                f"{change.id:>5}  {state:8}  {change.change_type:20}  {change.target:32}  "
                f"{change.metric} {change.metric_before:g} → {change.metric_after:g}  "
                f"{change.created_at:%Y-%m-%d %H:%M}"
            )


@learning_app.command("revert")
def learning_revert(
    change_id: Annotated[int, typer.Argument(help="The change's id (see 'resync learning list')")],
) -> None:
    """Take a learned change out of force; its target returns to the change before it."""
    from resync.learning.store import revert_change

    try:
        with session_scope() as session:
            change = revert_change(session, change_id)
            target = f"{change.change_type} {change.target}"
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"reverted {change_id} ({target})")


@learning_app.command("review-alert")
def learning_review_alert(
    alert_id: Annotated[int, typer.Argument(help="The alert's id")],
    verdict: Annotated[str, typer.Option(help="confirmed or false_alarm")],
    comment: Annotated[str | None, typer.Option()] = None,
    reviewer: Annotated[str | None, typer.Option(help="Who decided")] = None,
) -> None:
    """Record whether an alert was a real problem; auto-learning tunes rules from these."""
    from resync.alerts.store import record_alert_review

    try:
        with session_scope() as session:
            record_alert_review(session, alert_id, verdict, comment, reviewer)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"alert {alert_id}: {verdict}")
