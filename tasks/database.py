"""The options every task that reads or writes the application database is declared with.

A database that restarts or fails over drops connections for a few seconds: such a task is
retried twice (after 2 s, then 10 s), and only for such an error; one of its own logic or data
(an unknown run, a refused value) fails it at once. Its results are never cached, since they
are rows that change under it.
"""

import sqlite3
from functools import partial
from typing import Any

import psycopg
from prefect import task
from prefect.cache_policies import NONE
from sqlalchemy import exc

# Raised through SQLAlchemy, or by the driver itself where a store uses it directly (COPY).
CONNECTION_ERRORS = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.TimeoutError,
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
)


def retry_when_the_connection_failed(_task: Any, _task_run: Any, state: Any) -> bool:
    """Retry a database task only when its connection failed, not when its work did."""
    try:
        state.result()
    except CONNECTION_ERRORS:
        return True
    except exc.DBAPIError as error:
        return error.connection_invalidated
    except Exception:
        return False
    return False


database_task = partial(
    task,
    cache_policy=NONE,
    retries=2,
    retry_delay_seconds=[2, 10],
    retry_condition_fn=retry_when_the_connection_failed,
)
