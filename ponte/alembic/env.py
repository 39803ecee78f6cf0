"""Alembic environment shared by every service; see ponte.db.alembic_config."""
from alembic import context

from ponte.db import create_engine_for

config = context.config
connection = config.attributes.get("connection")
service = config.attributes["service"]


def _run(conn) -> None:  # noqa: ANN001
    context.configure(connection=conn, target_metadata=config.attributes.get("metadata"),
                      version_table=f"alembic_version_{service}", render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    _run(connection)
else:
    with create_engine_for(service).begin() as conn:
        _run(conn)
