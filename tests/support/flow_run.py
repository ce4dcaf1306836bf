"""Graph code run as the flows run it: in a flow run, whose task runner its nodes fan their
per-FTA task runs out on."""

from collections.abc import Callable
from typing import TypeVar

from prefect import flow

Result = TypeVar("Result")


def inside_a_flow(call: Callable[[], Result]) -> Result:
    """`call()` in a flow run of its own; its result."""

    @flow(name="graph-test")
    def graph_test() -> Result:
        return call()

    return graph_test()
