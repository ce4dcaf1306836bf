"""The `resync` command: database migrations, API keys, the demo estate and the local stack."""

import json
import uuid
from pathlib import Path
from typing import Annotated

import typer
from alembic import command
from alembic.config import Config

from resync.db.engine import session_scope
from resync.keys.admin import Actor, KeyConflictError, create_key, key_status, revoke_key
from resync.keys.binding import bind_to_workstations
from resync.keys.store import find_keys
from resync.learning.cli import learning_app
from resync.logs import configure_logging
from resync.settings import get_settings

app = typer.Typer(help="Resync: operations analytics for TWS / HCL Workload Automation estates.")
db_app = typer.Typer(help="Application database.")
keys_app = typer.Typer(help="API keys (the first admin key is created here).")
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(learning_app, name="learning")

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@app.callback()
def main() -> None:
    """Every command logs through the one configuration of the resync processes."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)


def alembic_config(url: str | None = None) -> Config:
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.attributes["url"] = url or get_settings().sqlalchemy_url
    return config


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Apply the migrations up to REVISION (default: the newest)."""
    command.upgrade(alembic_config(), revision)
    typer.echo(f"database at {revision}: {get_settings().sqlalchemy_url.split('@')[-1]}")


@keys_app.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="What the key is for, e.g. 'fta-ws-prod-01'")],
    scope: Annotated[
        list[str], typer.Option(help="Repeat for several; admin:* and workflows:* expand")
    ],
    description: Annotated[str | None, typer.Option()] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1)] = None,
    workstation: Annotated[
        list[str] | None,
        typer.Option(help="An FTA whose samples the key may post (repeat); default: any"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON with id and key")] = False,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    try:
        with session_scope() as session:
            record, plaintext = create_key(
                session,
                Actor("cli"),
                name=name,
                scopes=scope,
                description=description,
                expires_in_days=expires_in_days,
            )
            bind_to_workstations(record, workstation or [])
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "id": str(record.id),
                    "key": plaintext,
                    "name": record.name,
                    "scopes": record.scopes,
                    "workstations": record.workstations,
                    "key_prefix": record.key_prefix,
                    "expires_at": record.expires_at.isoformat() if record.expires_at else None,
                }
            )
        )
        return
    typer.echo(f"id:     {record.id}\nscopes: {' '.join(record.scopes)}")
    if record.workstations:
        typer.echo(f"FTAs:   {' '.join(record.workstations)}")
    typer.echo(f"key:    {plaintext}")
    typer.echo("Store the key now: it is shown only once.", err=True)


@keys_app.command("list")
def keys_list(include_revoked: bool = False) -> None:
    """List keys (never the key itself): id, prefix, status, scopes, name."""
    with session_scope() as session:
        records, _ = find_keys(session, include_revoked=include_revoked)
        for record in records:
            typer.echo(
                f"{record.id}  {record.key_prefix}…  {key_status(record):8}  "
                f"{','.join(record.scopes):40}  {record.name}"
            )


@keys_app.command("revoke")
def keys_revoke(
    key_id: Annotated[uuid.UUID, typer.Argument(help="The key's id (see 'resync keys list')")],
    reason: Annotated[str, typer.Option(help="Why, recorded with the revocation")],
) -> None:
    """Revoke a key: it stops working on every route within 5 seconds."""
    try:
        with session_scope() as session:
            revoke_key(session, key_id, Actor("cli"), reason, keep_an_admin=False)
    except (LookupError, KeyConflictError) as error:
        raise typer.BadParameter(str(error)) from None
    typer.echo(f"revoked {key_id}")


@app.command()
def demo(
    api_url: Annotated[
        str, typer.Option(help="The Resync API to post to")
    ] = "http://127.0.0.1:8000",
    workstations: Annotated[int, typer.Option(min=4, max=500)] = 20,
    days: Annotated[int, typer.Option(min=0, max=90)] = 30,
    live_interval: Annotated[
        float, typer.Option(help="Seconds between live samples; 0: none")
    ] = 5.0,
) -> None:
    """Post a demo estate through the real API: history, then live samples until Ctrl-C."""
    from resync.demo.sender import run_demo

    with session_scope() as session:
        _, key = create_key(
            session, Actor("resync demo"), name="demo-estate", scopes=["metrics:write"]
        )
    run_demo(api_url, key, workstations=workstations, days=days, live_interval=live_interval)


@app.command()
def run(
    api_port: Annotated[int, typer.Option()] = 8000,
    prefect_port: Annotated[int, typer.Option()] = 4200,
) -> None:
    """Run the whole system here: Prefect server and worker, the API and the demo estate."""
    from resync.stack import run_stack

    run_stack(PROJECT_ROOT, get_settings().data_dir.resolve(), api_port, prefect_port)
