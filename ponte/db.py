"""Per-service databases: engines, Alembic migrations applied at start, and a unit of work that
writes domain changes and their events (the outbox) in one transaction.

Every service owns its database: ``PONTE_DB_URL`` with ``{service}`` gives one database per
service; a PostgreSQL URL without it gives one *schema* per service in a shared database.
"""
from __future__ import annotations

import logging
import re
import threading
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from ponte import later, logs, messaging
from ponte.clock import now
from ponte.config import settings
from ponte.errors import Conflict
from ponte.sql import insert_ignoring_duplicates  # noqa: F401  its home before ponte.sql

# built once (ponte.sql: a statement built per call has its cache key computed every time)
OUTBOX_INSERT = messaging.outbox.insert()
PROCESSED_MARK = messaging.processed_events.insert()

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parent.parent
_migration_lock = threading.Lock()


utcnow = now  # the one clock (ponte.clock); this name stays for code not yet moved to it


class UTCDateTime(sa.TypeDecorator):
    """Timestamps as aware UTC datetimes on every database: SQLite keeps no offset, so values are
    stored as UTC and the zone is restored on read. A naive value is taken to be UTC."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        value = value.replace(tzinfo=UTC) if value.tzinfo is None \
            else value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None \
            else value.astimezone(UTC)


def create_engine_for(service: str, url: str | None = None, *, reads: bool = False) -> Engine:
    """The service's engine; ``reads=True`` gives a separate autocommit pool for read-only
    sessions (no BEGIN/COMMIT and no ping per checkout: a query is one round trip). SQL
    parameters (CPFs, names, e-mails) never appear in the text of its errors, so not in logs."""
    url = url or settings().db_url_for(service)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if "{service}" not in settings().db_url and parsed.database not in (None, "", ":memory:"):
            raise RuntimeError("PONTE_DB_URL for SQLite must contain {service}: one file each")
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30},
                                  hide_parameters=True,
                                  **({"isolation_level": "AUTOCOMMIT"} if reads else {}))

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()
        return engine

    _ensure_postgres_database(parsed)
    connect_args = {}
    if "{service}" not in settings().db_url:
        connect_args["options"] = f"-csearch_path={service}"
        with sa.create_engine(parsed).begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{service}"'))
    if reads:
        engine = sa.create_engine(parsed, isolation_level="AUTOCOMMIT", pool_size=10,
                                  max_overflow=20, pool_recycle=1800, connect_args=connect_args,
                                  hide_parameters=True)
    else:
        engine = sa.create_engine(parsed, pool_size=10, max_overflow=20,
                                  connect_args=connect_args, hide_parameters=True)
        _ping_when_idle(engine)
        later.carry_writes(engine)
    sa.event.listen(engine, "handle_error", _without_row_values)
    return engine


PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled connection unused this long is pinged before it is handed out."""


def _ping_when_idle(engine: Engine) -> None:
    """SQLAlchemy's pre-ping, only for a connection that sat idle in the pool: under load a
    connection comes back within milliseconds and a ``SELECT 1`` per transaction would be one
    round trip in three of a small write. One that fails the ping is replaced (the pool retries
    with a fresh connection); one that broke in the last second fails its statement, which is
    answered like any unreachable database (503, or a handler retried), and the pool is
    invalidated then."""
    @sa.event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection, record) -> None:  # noqa: ANN001
        record.info["idle_since"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, proxy) -> None:  # noqa: ANN001
        idle_since = record.info.pop("idle_since", None)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            raise sa.exc.DisconnectionError(str(exc)) from exc
        if not alive:
            raise sa.exc.DisconnectionError("the connection did not answer its ping")


ROW_VALUES = re.compile(r"^DETAIL:.*$", re.MULTILINE)


def _without_row_values(context: sa.engine.ExceptionContext) -> None:
    """PostgreSQL's DETAIL repeats the row's values (``Key (cpf)=(...) already exists``,
    ``Failing row contains (...)``): dropped from the driver's message, as the parameters are."""
    for error in (context.original_exception, context.sqlalchemy_exception):
        if error is not None and error.args and isinstance(error.args[0], str):
            error.args = (ROW_VALUES.sub("DETAIL: (values hidden)", error.args[0]),
                          *error.args[1:])


def _ensure_postgres_database(url: sa.URL) -> None:
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                  {"n": url.database}).scalar()
            if not exists:
                try:
                    conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
                except (sa.exc.ProgrammingError, sa.exc.IntegrityError):
                    # created concurrently by another replica: "already exists", or, when the
                    # two CREATEs overlap, a unique violation in pg_database
                    pass
    finally:
        admin.dispose()


def alembic_config(service: str, connection: sa.Connection | None = None,
                   migrations: Path | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(ROOT / "ponte" / "alembic"))
    cfg.set_main_option("version_locations",
                        str(migrations or ROOT / "services" / service / "migrations"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["service"] = service
    cfg.attributes["connection"] = connection
    return cfg


def migrate(service: str, engine: Engine, migrations: Path | None = None) -> None:
    """Bring the service's schema to the newest revision. Replicas starting together on
    PostgreSQL take an advisory lock so exactly one runs the migrations."""
    with _migration_lock, engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"),
                         {"k": zlib.crc32(f"ponte-migrate-{service}".encode())})
        command.upgrade(alembic_config(service, conn, migrations), "head")


_UNWRITTEN_EVENTS = "ponte.unwritten_events"  # the session's ``info`` key


@dataclass
class Transaction:
    """One unit of work: ``session`` for domain changes, ``publish`` for the events they cause.

    Published events wait in the session and are written at its commit, all in one INSERT, as
    the transaction's last statement: still atomic with the changes, and one round trip however
    many events — which counts while a sequence row is locked (``ponte.numbering``). Nothing
    reads the outbox inside the transaction that writes it; only the relay reads it, after."""

    session: Session
    service: str
    events: list[dict[str, Any]] = field(default_factory=list)

    def publish(self, event_type: str, data: dict[str, Any]) -> None:
        """Written at the commit; publish outside savepoints (one rolled back keeps its events)."""
        row = messaging.outbox_row(self.service, event_type, data, logs.correlation_id())
        self.session.info.setdefault(_UNWRITTEN_EVENTS, []).append(row)
        self.events.append(row)


@sa.event.listens_for(Session, "before_commit")
def _write_events(session: Session) -> None:
    """At the outermost commit (not a savepoint's release), the events published in it: on
    PostgreSQL in the commit's own round trip, with the writes still waiting (``ponte.later``)."""
    if session.in_nested_transaction():
        return
    rows = session.info.pop(_UNWRITTEN_EVENTS, None)
    if rows:
        later.write_later(session, OUTBOX_INSERT, rows)


@sa.event.listens_for(Session, "after_transaction_end")
def _forget_events(session: Session, transaction: Any) -> None:
    """A rolled-back transaction's events go with it (a committed one's are written)."""
    if transaction.parent is None:
        session.info.pop(_UNWRITTEN_EVENTS, None)


class Database(messaging.EventStore):
    """nameko dependency: the service's engine (migrated at start), its outbox relay and the
    retry loop of failed event handlers. Workers get a :class:`WorkerDatabase`.

    ``migrations`` defaults to ``services/<service>/migrations``."""

    def __init__(self, migrations: Path | None = None) -> None:
        self.migrations = migrations

    def setup(self) -> None:
        self.service = self.container.service_name
        self.engine = create_engine_for(self.service)
        migrate(self.service, self.engine, self.migrations)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.reads = sessionmaker(create_engine_for(self.service, reads=True))
        self.relay = messaging.Relay(self.container, self.engine)

    def start(self) -> None:
        self.relay.start()

    def stop(self) -> None:
        self.relay.stop()

    def kill(self) -> None:
        self.relay.stop()

    def get_dependency(self, worker_ctx) -> WorkerDatabase:  # noqa: ANN001
        return WorkerDatabase(self, worker_ctx)


class WorkerDatabase:
    def __init__(self, provider: Database, worker_ctx) -> None:  # noqa: ANN001
        self._provider = provider
        self._worker_ctx = worker_ctx
        self._event_marked = False

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """Commit the session and its events together; roll both back on any error. In an event
        handler, also record the event as processed in the same transaction (idempotency): a
        plain insert sent with the commit's round trip (``ponte.later``), on which a concurrent
        duplicate delivery fails (:class:`~ponte.messaging.DuplicateDelivery`) and rolls back."""
        marking: tuple[str, str] | None = None
        try:
            with self._provider.sessions() as session, session.begin():
                tx = Transaction(session, self._provider.service)
                yield tx
                handled = messaging.handled_event(self._worker_ctx)
                if handled and not self._event_marked:
                    marking = handled
                    later.write_later(session, PROCESSED_MARK, {"event_id": handled[0],
                                                                "handler": handled[1],
                                                                "processed_at": now()})
        except sa.exc.IntegrityError as exc:
            if marking and messaging.processed_events.name in str(exc.orig):
                raise messaging.DuplicateDelivery(marking[0]) from None
            raise
        if marking:
            self._event_marked = True
            messaging.record_committed(self._worker_ctx)
        if tx.events:
            self._provider.relay.wake()

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading only, in autocommit mode: one round trip per query, with no
        BEGIN and COMMIT around it. Never write through it."""
        with self._provider.reads() as session:
            yield session

    @property
    def engine(self) -> Engine:
        return self._provider.engine


def new_id() -> str:
    return str(uuid.uuid4())


@contextmanager
def conflict_on_duplicate(detail: str,
                          errors: dict[str, list[str]] | None = None) -> Iterator[None]:
    """A unique constraint lost to a concurrent request is the 409 the loser would have got a
    moment later (wrap the transaction, or a flush inside it)."""
    try:
        yield
    except sa.exc.IntegrityError:
        raise Conflict(detail, errors) from None
