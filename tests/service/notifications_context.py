"""A ``ponte.service_layer.Context`` of the notifications service around a test's sessionmaker,
without nameko: its units of work record the events they commit in ``published``."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ponte.db import Transaction
from ponte.service_layer import Context
from services.notifications.repository import Repository

SETTINGS = {"public_url": "https://ponte.example", "time_zone": "America/Sao_Paulo"}


class SessionsDatabase:
    """The two doors of ``ponte.db.WorkerDatabase`` over a plain sessionmaker."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions
        self.published: list[dict[str, Any]] = []

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        with self.sessions() as session, session.begin():
            tx = Transaction(session, "notifications")
            yield tx
        self.published += tx.events

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.sessions() as session:
            yield session


def context(sessions: sessionmaker, now: datetime) -> tuple[Context[Repository],
                                                              SessionsDatabase]:
    """The context of a use case run at ``now``, and its database (for ``published``)."""
    db = SessionsDatabase(sessions)
    return Context(db, Repository, clock=lambda: now, settings=SETTINGS), db


def run(sessions: sessionmaker, now: datetime, use_case: Any, *args: Any) -> tuple[Any, list]:
    """``use_case(ctx, *args)`` at ``now``: its answer and the events it published."""
    ctx, db = context(sessions, now)
    return use_case(ctx, *args), db.published


def keep(sessions: sessionmaker, now: datetime, read_model: Any, event: Any) -> None:
    """Only the read model's part of handling ``event``: nobody is told."""
    ctx, _ = context(sessions, now)
    with ctx.unit() as uow:
        read_model(uow.repo.directory, event, now)
