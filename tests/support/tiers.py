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
