"""What identity does, step by step: load, apply the domain rules, save, record events. The
nameko service only forwards its RPCs here, so these run in tests without a broker."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterator

from ponte.clock import now
from ponte.db import conflict_on_duplicate
from ponte.errors import Forbidden, Unauthenticated
from ponte.roles import ADMIN
from services.identity.domain.passwords import Passwords
from services.identity.repository import Repository


@dataclass
class Unit:
    """One transaction: the repository for changes and ``publish`` for the events they cause."""

    repo: Repository
    publish: Callable[[str, dict[str, Any]], None]

    def flush_or_conflict(self, detail: str, errors: dict[str, list[str]]) -> None:
        """A unique constraint lost to a concurrent request is a 409, like any duplicate."""
        with conflict_on_duplicate(detail, errors):
            self.repo.flush()


@dataclass
class Identity:
    """What the use cases need: the database (``transaction()`` as ``ponte.db`` gives it),
    password hashing and a clock."""

    db: Any
    passwords: Passwords
    clock: Callable[[], datetime] = field(default=now)

    @contextmanager
    def unit(self) -> Iterator[Unit]:
        with self.db.transaction() as tx:
            yield Unit(Repository(tx.session), tx.publish)

    @contextmanager
    def reading(self) -> Iterator[Unit]:
        """For answers that change nothing: no transaction around the queries."""
        with self.db.read() as session:
            yield Unit(Repository(session), _no_events)


def _no_events(event_type: str, data: dict[str, Any]) -> None:
    raise RuntimeError(f"{event_type} published from a read-only unit")


def caller_account(unit: Unit, caller: Any) -> Any:
    """The calling account, which must still be active (its token may outlive a deletion)."""
    account = unit.repo.active_account(caller.get("account_id") if isinstance(caller, dict)
                                       else None)
    if account is None:
        raise Unauthenticated("This account is no longer active; sign in again.")
    return account


def require_staff_role(caller: Any, *roles: str) -> None:
    """Services re-check what the gateway checked; ``admin`` may do what every staff role can."""
    caller = caller if isinstance(caller, dict) else {}
    held = set(caller.get("roles") or [])
    if caller.get("kind") != "staff" or not ({ADMIN, *roles} & held):
        raise Forbidden("Your account may not do this.")


def revoke(unit: Unit, account_id: str, reason: str, now: datetime,
           **which: str | None) -> list[str]:
    """End sessions and tell every gateway at once (``sessions_revoked``)."""
    ids = unit.repo.revoke_sessions(account_id, reason, now, **which)
    if ids:
        unit.publish("sessions_revoked", {"account_id": account_id, "session_ids": ids})
    return ids
