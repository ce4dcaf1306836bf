"""One deployed stack for the module (Prefect server, worker, API, demo estate and its history),
its logs printed under a failed test's report."""

from collections.abc import Iterator

import pytest

from tests.support.postgres import PostgresServer
from tests.system.support.stack import HISTORY_DEPLOYMENTS, DeployedStack, deployed_stack
from tests.system.support.stalled_claude import StalledClaude

FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> pytest.TestReport:
    report = yield
    if report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture(scope="module")
def module_stack(
    postgres_server: PostgresServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeployedStack]:
    """Deployed, with the demo estate's history moved in by a run of the ingest and the
    job-history deployments (both must complete)."""
    with deployed_stack(postgres_server, tmp_path_factory.mktemp("system-stack")) as stack:
        try:
            runs = [stack.prefect.run_deployment(name) for name in HISTORY_DEPLOYMENTS]
            for flow_run_id in runs:
                stack.prefect.wait_for(flow_run_id, "COMPLETED", 240)
        except BaseException:
            print(stack.processes.log_tails())
            raise
        yield stack


@pytest.fixture
def stack(request: pytest.FixtureRequest, module_stack: DeployedStack) -> Iterator[DeployedStack]:
    """The module's stack; the end of every log is printed when the test fails."""
    yield module_stack
    if request.node.stash.get(FAILED, False):
        print(module_stack.processes.log_tails())


@pytest.fixture
def stalled_claude() -> Iterator[StalledClaude]:
    with StalledClaude() as claude:
        yield claude
