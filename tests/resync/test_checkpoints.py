"""Continuing a graph thread after its process was killed mid-run, on both backends."""

import subprocess
import sys
import uuid
from pathlib import Path

from graphs.checkpoints import invoke_or_continue, open_checkpointer
from tests.support.killed_graph import build_graph
from tests.support.maintenance_flow_process import ROOT, kill_hard, wait_until


def test_a_thread_killed_before_its_checkpoint_was_saved_continues_after_the_node(
    database_url: str, tmp_path: Path
) -> None:
    thread, marker = str(uuid.uuid4()), tmp_path / "in-d"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.killed_graph", thread, str(marker)], cwd=ROOT
    )
    wait_until(lambda: marker.exists() or process.poll() is not None, what="node d to start")
    assert marker.exists(), f"the graph process exited with {process.returncode}"
    kill_hard(process)

    ran: list[str] = []
    config = {"configurable": {"thread_id": thread}}
    with open_checkpointer() as saver:
        graph = build_graph(ran).compile(checkpointer=saver)
        snapshot = graph.get_state(config)
        assert set(snapshot.values) == {"thread", "a", "b", "c"} and snapshot.next == ()

        final = invoke_or_continue(graph, {"thread": "not used"}, config)
        assert ran == ["d", "e"]
        assert final == {"thread": thread, "a": 1, "b": 2, "c": 3, "d": 1, "e": 2}

        assert invoke_or_continue(graph, {"thread": "not used"}, config) == final
        assert ran == ["d", "e"]


def test_a_new_thread_starts_with_its_inputs(database_url: str) -> None:
    ran: list[str] = []
    config = {"configurable": {"thread_id": str(uuid.uuid4())}}
    with open_checkpointer() as saver:
        graph = build_graph(ran).compile(checkpointer=saver)
        final = invoke_or_continue(graph, {"thread": "t"}, config)
    assert ran == list("abcde")
    assert final == {"thread": "t", "a": 1, "b": 2, "c": 3, "d": 4, "e": 5}
