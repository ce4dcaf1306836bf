"""LangGraph checkpoint savers on the application's database: SQLite by default, PostgreSQL in
production. A graph compiled with one of these resumes from its last completed node."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph.state import CompiledStateGraph
from sqlalchemy.engine import make_url

from resync.settings import Settings, get_settings


def sqlite_checkpoint_path(database: str) -> str:
    """The checkpoint file beside a SQLite application database (its own file: no lock sharing)."""
    if database in ("", ":memory:"):
        return ":memory:"
    path = Path(database)
    return str(path.with_name(f"{path.stem}-checkpoints.sqlite"))


@contextmanager
def open_checkpointer(settings: Settings | None = None) -> Iterator[BaseCheckpointSaver]:
    """A set-up checkpoint saver for the configured database, closed on exit."""
    url = make_url((settings or get_settings()).sqlalchemy_url)
    if url.get_backend_name() == "postgresql":
        conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        with PostgresSaver.from_conn_string(conninfo) as saver:
            saver.setup()
            yield saver
        return
    path = sqlite_checkpoint_path(url.database or "")
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    with SqliteSaver.from_conn_string(path) as saver:
        saver.setup()
        yield saver


def invoke_or_continue(
    graph: CompiledStateGraph, inputs: dict[str, Any], config: RunnableConfig
) -> dict[str, Any]:
    """Start the config's thread with `inputs`, or continue it from its last checkpoint.

    A thread that has a checkpoint is always continued, even when its snapshot names no next
    node: checkpoints are saved in the background while the next node runs, so a process killed
    just after a node finished can leave the checkpoint before that node plus the node's stored
    writes, which shows no next node until the graph is continued. Continuing a finished thread
    returns its final state without running a node.
    """
    started = bool(graph.get_state(config).values)
    return graph.invoke(None if started else inputs, config)
