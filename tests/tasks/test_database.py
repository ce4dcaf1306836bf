"""Database tasks retry a failed connection, never a failure of their own work."""

import sqlite3

import psycopg
import pytest
from prefect.states import Completed, Failed
from sqlalchemy import exc
from sqlalchemy.orm.exc import NoResultFound

from tasks.database import retry_when_the_connection_failed

DROPPED = Exception("server closed the connection unexpectedly")


@pytest.mark.parametrize(
    ("error", "retried"),
    [
        (exc.OperationalError("SELECT 1", {}, DROPPED), True),
        (exc.InterfaceError("SELECT 1", {}, DROPPED), True),
        (exc.DBAPIError("SELECT 1", {}, DROPPED, connection_invalidated=True), True),
        (exc.TimeoutError("QueuePool limit reached"), True),
        (psycopg.OperationalError("consuming input failed: EOF"), True),
        (sqlite3.OperationalError("database is locked"), True),
        (exc.IntegrityError("INSERT", {}, Exception("duplicate key")), False),
        (NoResultFound("No row was found when one was required"), False),
        (ValueError("the review approved actions the run did not propose"), False),
    ],
)
def test_only_a_failed_connection_is_retried(error: Exception, retried: bool) -> None:
    assert retry_when_the_connection_failed(None, None, Failed(data=error)) is retried


def test_a_completed_state_is_not_retried() -> None:
    assert retry_when_the_connection_failed(None, None, Completed(data=1)) is False
