"""The one skeleton every service is built on (cosmicpython's ``service_layer``).

A use case receives a :class:`Context` (the worker's database, a clock, an RPC caller and the
service's repository class), opens one :class:`UnitOfWork` with ``ctx.unit()``, changes the
domain through ``uow.repo`` and records the :class:`Event`\\ s its ``events.py`` builds with
``uow.publish``. The events are written to the outbox at the commit, atomically with the
changes (``ponte.db``); a unit that raises writes nothing.

Nothing here knows nameko: a test builds a Context around a fake or a real database.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from ponte.clock import now
from ponte.db import conflict_on_duplicate

R = TypeVar("R")
Rpc = Callable[..., Any]
"""``rpc("identity", "get_accounts", ids)``: a call to another service."""


@dataclass(frozen=True)
class Event:
    """A fact a use case records: ``<type>`` of docs/events.md and its JSON-ready data."""

    type: str
    data: dict[str, Any]


def _no_rpc(service: str, method: str, *args: Any, **kwargs: Any) -> Any:
    raise RuntimeError(f"this context has no RPC caller (asked {service}.{method})")


@dataclass
class UnitOfWork(Generic[R]):
    """One transaction: ``repo`` for the changes, ``publish`` for the events they cause."""

    repo: R
    _publish: Callable[[str, dict[str, Any]], None]

    def publish(self, *events: Event) -> None:
        for event in events:
            self._publish(event.type, event.data)

    def flush_or_conflict(self, detail: str, errors: dict[str, list[str]] | None = None) -> None:
        """A unique constraint lost to a concurrent request is a 409, like any duplicate."""
        with conflict_on_duplicate(detail, errors):
            self.repo.flush()  # type: ignore[attr-defined]


def _read_only(event_type: str, data: dict[str, Any]) -> None:
    raise RuntimeError(f"{event_type} published from a read-only unit")


@dataclass
class Context(Generic[R]):
    """What every use case is given. ``db`` is the worker's ``ponte.db.WorkerDatabase``;
    ``repository`` builds the service's repository around a session; ``settings`` holds the few
    values a service's use cases need from its configuration (``meeting_base_url``, the password
    hasher), so no use case reads the environment."""

    db: Any
    repository: Callable[[Any], R]
    clock: Callable[[], datetime] = now
    rpc: Rpc = _no_rpc
    settings: Mapping[str, Any] = field(default_factory=dict)

    @contextmanager
    def unit(self) -> Iterator[UnitOfWork[R]]:
        """Commit the changes and their events together; roll both back on any error."""
        with self.db.transaction() as tx:
            yield UnitOfWork(self.repository(tx.session), tx.publish)

    @contextmanager
    def reading(self) -> Iterator[UnitOfWork[R]]:
        """For answers that change nothing: no transaction around the queries."""
        with self.db.read() as session:
            yield UnitOfWork(self.repository(session), _read_only)
