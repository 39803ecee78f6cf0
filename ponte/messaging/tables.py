"""The messaging tables every service database holds: the outbox, the events each subscription
has processed, and the handler runs that failed (retrying or dead)."""
from __future__ import annotations

import sqlalchemy as sa

from ponte.clock import now
from ponte.sql import insert_ignoring_duplicates

metadata = sa.MetaData()

outbox = sa.Table(
    "outbox", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id", sa.String(36), nullable=False, unique=True),
    sa.Column("event_type", sa.String(100), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("correlation_id", sa.String(64)),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True), index=True),
)

processed_events = sa.Table(
    "processed_events", metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column("handler", sa.String(200), primary_key=True),
    # the relay prunes by it (``PROCESSED_RETENTION``); added after the services' first
    # migrations, so each service has a later one creating it where it is missing
    sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False, index=True),
)

event_failures = sa.Table(
    "event_failures", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(36), nullable=False),
    sa.Column("handler", sa.String(200), nullable=False),
    sa.Column("envelope", sa.JSON, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("status", sa.String(20), nullable=False),  # retrying | dead
    sa.Column("last_error", sa.Text, nullable=False),
    sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.UniqueConstraint("event_id", "handler"),
)


def create_tables(connection: sa.Connection) -> None:
    """Called from each service's first migration: the messaging tables are the same everywhere."""
    metadata.create_all(connection)


def index_processed_at(connection: sa.Connection) -> None:
    """Called from a later migration of each service: the index on ``processed_at`` that its
    first migration created only if it ran after the index joined these tables."""
    _processed_at_index().create(connection, checkfirst=True)


def drop_processed_at_index(connection: sa.Connection) -> None:
    _processed_at_index().drop(connection)


def _processed_at_index() -> sa.Index:
    return next(index for index in processed_events.indexes
                if list(index.columns) == [processed_events.c.processed_at])


PROCESSED = sa.select(processed_events.c.event_id).where(
    processed_events.c.event_id == sa.bindparam("event_id"),
    processed_events.c.handler == sa.bindparam("handler"))


def mark_processed(connection: sa.Connection, event_id: str, handler: str) -> None:
    insert_ignoring_duplicates(connection, processed_events, event_id=event_id, handler=handler,
                               processed_at=now())


def was_processed(connectable: sa.Engine | sa.Connection, event_id: str, handler: str) -> bool:
    which = {"event_id": event_id, "handler": handler}
    if isinstance(connectable, sa.Connection):
        return connectable.execute(PROCESSED, which).first() is not None
    with connectable.connect() as conn:
        return conn.execute(PROCESSED, which).first() is not None

