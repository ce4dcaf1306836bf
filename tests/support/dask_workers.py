"""What the tests run on the worker processes of a Dask cluster they share between tests: each
test points the workers at its own database the way a deployment does, by the name of the
Prefect block that holds it, which each worker reads itself."""

import os

from resync.db.engine import get_engine
from resync.settings import get_settings


def use_database_block(block: str) -> None:
    """From now on this worker's task runs read their database from Prefect block `block`."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    os.environ.pop("RESYNC_DATABASE_URL", None)
    os.environ["RESYNC_DATABASE_BLOCK"] = block
    get_engine.cache_clear()
    get_settings.cache_clear()


def opened_database() -> str | None:
    """The name (SQLite: the file) of the database this worker's task runs opened since
    `use_database_block`, if any did."""
    if not get_engine.cache_info().currsize:
        return None
    return get_engine().url.database
