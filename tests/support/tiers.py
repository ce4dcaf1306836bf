"""Each test's tiers, read from the fixtures it uses; `make test-fast` runs unit and db only.

The markers are registered in pyproject.toml. A test whose dependency is no fixture (it starts
chromium in its body) carries its marker itself; the others get theirs here.
"""

import pytest

BACKENDS = ("sqlite", "postgresql")
# Fixtures by what they start, wherever they are defined (conftest or a test module).
TIER_FIXTURES = {
    "postgres": {"postgres_server"},
    "prefect": {"prefect_api"},
    "browser": {"chromium"},
    # The API (and with it the agent) as its own uvicorn process on a real port.
    "e2e": {"live_api", "panel_api", "live_agent"},
}
TIERS = ("unit", "db", *TIER_FIXTURES)
# From the lightest to the heaviest to start: a module's weight is that of its heaviest tier.
WEIGHT = {"unit": 0, "db": 1, "postgres": 2, "prefect": 3, "browser": 4, "e2e": 5}


def tiers_of(item: pytest.Item) -> set[str]:
    """The tiers `item` belongs to: every one it needs, or 'unit' when it needs none."""
    fixtures = set(getattr(item, "fixturenames", ()))
    callspec = getattr(item, "callspec", None)
    # A database fixture parametrised by backend; PostgreSQL's server is fetched inside it.
    backends = {
        value
        for value in (callspec.params.values() if callspec else ())
        if isinstance(value, str) and value in BACKENDS
    }
    tiers = {tier for tier, names in TIER_FIXTURES.items() if fixtures & names}
    tiers |= {marker.name for marker in item.iter_markers() if marker.name in TIERS}
    if "postgresql" in backends:
        tiers.add("postgres")
    if "sqlite" in backends:
        tiers.add("db")
    return tiers or {"unit"}


def heaviest_first(items: list[pytest.Item]) -> list[pytest.Item]:
    """`items` with the modules of the heaviest tiers first, then the modules of most tests.

    `make test` hands a module at a time to each pytest-xdist worker in this order (xdist's own
    order, by number of tests, sent the three-test deployed stack, a six-minute module, last).
    Starting the long modules first keeps one of them from finishing alone at the end.
    """
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(item.nodeid.split("::")[0], []).append(item)

    def weight(module: list[pytest.Item]) -> tuple[int, int]:
        marks = {marker.name for item in module for marker in item.iter_markers()}
        return max(WEIGHT[tier] for tier in marks & set(WEIGHT)), len(module)

    ordered = sorted(modules.values(), key=weight, reverse=True)
    return [item for module in ordered for item in module]
