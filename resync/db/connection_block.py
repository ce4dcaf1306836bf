"""The database connection of the deployments, kept in Prefect as a `SqlAlchemyConnector` block.

`prefect deploy` saves the deployer's database URL in the block (its password a secret field,
masked in the UI and encrypted in Prefect's database) and each deployment names the block in
`RESYNC_DATABASE_BLOCK`: a flow run reads its database from Prefect, so workers need no database
password of their own, and a moved database is one block to change for every deployment.
"""

from functools import cache

from sqlalchemy.engine import URL, make_url

DATABASE_BLOCK = "resync-database"


def save_connection_block(url: str, name: str = DATABASE_BLOCK) -> None:
    """Saves (or replaces) block `name` with the connection of `url`."""
    from prefect_sqlalchemy import ConnectionComponents, SqlAlchemyConnector

    parsed = make_url(url)
    components = ConnectionComponents(
        driver=parsed.drivername,
        database=parsed.database,
        username=parsed.username,
        password=parsed.password,
        host=parsed.host,
        port=parsed.port,
        query=dict(parsed.query) or None,
    )
    SqlAlchemyConnector(connection_info=components).save(name, overwrite=True)


@cache
def url_from_block(name: str) -> str:
    """The SQLAlchemy URL block `name` holds, password included (read once per process)."""
    from prefect_sqlalchemy import SqlAlchemyConnector

    connection = SqlAlchemyConnector.load(name).connection_info
    url = connection if isinstance(connection, URL) else connection.create_url()
    return url.render_as_string(hide_password=False)
