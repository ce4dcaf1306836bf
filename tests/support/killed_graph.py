"""A five-node graph, and a process that is killed while a node's checkpoint is being saved.

`python -m tests.support.killed_graph THREAD MARKER` runs the graph on the configured
database: node `c` finishes and its writes are stored, but the checkpoint after it never is
(its save blocks, as a background save still in flight at a `kill -9` would); node `d` then
writes MARKER and waits to be killed.
"""

import sys
import threading
from pathlib import Path
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph

from graphs.checkpoints import open_checkpointer
from tests.support.maintenance_flow_process import sleep_until_killed

NODES = ("a", "b", "c", "d", "e")


class LetterState(TypedDict, total=False):
    thread: str
    a: int
    b: int
    c: int
    d: int
    e: int


def build_graph(ran: list[str], before_d: Any = None) -> StateGraph:
    """Each node records its name in `ran`; `before_d` is called at the start of node `d`."""

    def node(name: str) -> Any:
        def run(state: LetterState) -> dict[str, int]:
            if name == "d" and before_d is not None:
                before_d()
            ran.append(name)
            return {name: len(ran)}

        return run

    graph = StateGraph(LetterState)
    previous = START
    for name in NODES:
        graph.add_node(name, node(name))
        graph.add_edge(previous, name)
        previous = name
    graph.add_edge(previous, END)
    return graph


def _killed_after_c(thread: str, marker: Path) -> None:
    writes_of_c_stored = threading.Event()
    with open_checkpointer() as saver:
        put, put_writes = saver.put, saver.put_writes

        def blocking_put(config: Any, checkpoint: Any, metadata: Any, new_versions: Any) -> Any:
            if "c" in checkpoint["channel_values"]:
                sleep_until_killed()
            return put(config, checkpoint, metadata, new_versions)

        def recording_put_writes(
            config: Any, writes: Any, task_id: str, task_path: str = ""
        ) -> None:
            put_writes(config, writes, task_id, task_path)
            if any(channel == "c" for channel, _ in writes):
                writes_of_c_stored.set()

        def announce_and_wait() -> None:
            writes_of_c_stored.wait()
            marker.write_text("d")
            sleep_until_killed()

        saver.put, saver.put_writes = blocking_put, recording_put_writes
        graph = build_graph([], before_d=announce_and_wait).compile(checkpointer=saver)
        graph.invoke({"thread": thread}, {"configurable": {"thread_id": thread}})


if __name__ == "__main__":
    _killed_after_c(sys.argv[1], Path(sys.argv[2]))
