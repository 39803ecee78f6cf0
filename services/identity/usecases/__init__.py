"""What identity does, step by step: load, apply the domain rules, save, record events. The
nameko service only forwards its RPCs here, so these run in tests without a broker.

Every use case takes the shared ``ponte.service_layer.Context``; :func:`context` builds
identity's, with the password hasher in ``ctx.settings["passwords"]``."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ponte.caller import Caller
from ponte.clock import now
from ponte.errors import Unauthenticated
from ponte.service_layer import Context, UnitOfWork
from services.identity import events
from services.identity.domain.passwords import Passwords
from services.identity.models import Account
from services.identity.repository import Repository

Ctx = Context[Repository]
Uow = UnitOfWork[Repository]


def context(db: Any, passwords: Passwords, clock: Callable[[], datetime] = now) -> Ctx:
    """Identity's context: its repository, and the password hasher among the settings."""
    return Context(db, Repository, clock=clock, settings={"passwords": passwords})


def passwords(ctx: Ctx) -> Passwords:
    return ctx.settings["passwords"]


def caller_account(uow: Uow, caller: Caller) -> Account:
    """The calling account, which must still be active (its token may outlive a deletion)."""
    account = uow.repo.active_account(caller.account_id or None)
    if account is None:
        raise Unauthenticated("This account is no longer active; sign in again.")
    return account


def revoke(uow: Uow, account_id: str, reason: str, now: datetime,
           **which: str | None) -> list[str]:
    """End sessions and tell every gateway at once (``sessions_revoked``)."""
    ids = uow.repo.revoke_sessions(account_id, reason, now, **which)
    if ids:
        uow.publish(events.sessions_revoked(account_id, ids))
    return ids
