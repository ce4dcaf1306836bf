"""The options every task that reads or writes the application database is declared with.

A database that restarts or fails over drops connections for a few seconds: such a task is
retried twice (after 2 s, then 10 s). Its results are never cached, since they are rows that
change under it.
"""

from functools import partial

from prefect import task
from prefect.cache_policies import NONE

database_task = partial(task, cache_policy=NONE, retries=2, retry_delay_seconds=[2, 10])
