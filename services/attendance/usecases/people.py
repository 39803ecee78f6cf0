"""The people who act here, as identity knows them: looked up before a unit of work (an RPC
never runs inside a transaction), and renamed when identity says so."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from ponte.caller import Caller
from ponte.errors import NotFound
from ponte.service_layer import Context
from services.attendance.repository import Repository

T = TypeVar("T")


@dataclass(frozen=True)
class Acting:
    """Who acts: identity's record (``id``, ``kind``, ``name``, ``email``), and whether this
    service already keeps a copy of it."""

    record: dict[str, Any]
    kept: bool

    def remember(self, repo: Repository, now: datetime) -> None:
        """Copy the record the first time its person acts here."""
        if not self.kept:
            repo.save_person(self.record, now)


def account(ctx: Context[Repository], account_id: str) -> dict[str, Any] | None:
    """identity's record of an account, None if unknown."""
    found = ctx.rpc("identity", "get_accounts", [account_id])
    return found[0] if found else None


class NotKeptHere(Exception):
    """The caller has not acted here yet: identity's record is needed, and an RPC never runs
    inside a transaction (:func:`acting_in`)."""


def kept_caller(repo: Repository, caller: Caller) -> Acting:
    """The caller as kept here, read in the unit of work that acts (:class:`NotKeptHere` when
    they never acted here)."""
    kept = repo.person(caller.account_id)
    if kept is None:
        raise NotKeptHere(caller.account_id)
    return Acting(kept, kept=True)


def identity_caller(ctx: Context[Repository], caller: Caller) -> Acting:
    """identity's record of the caller (404 when identity no longer knows them)."""
    found = account(ctx, caller.account_id)
    if found is None:
        raise NotFound("Your account no longer exists.")
    return Acting(found, kept=False)


def caller_account(ctx: Context[Repository], caller: Caller) -> Acting:
    """The caller as kept here, or identity's record the first time they act here (404 when
    identity no longer knows them). The copy kept is as fresh as identity's ``account_updated``
    events (:func:`account_updated`), which are handled exactly once, so no submission asks
    identity again (issue 21: that call cost more than a third of a submission's own work)."""
    with ctx.reading() as uow:
        kept = uow.repo.person(caller.account_id)
    return Acting(kept, kept=True) if kept is not None else identity_caller(ctx, caller)


def acting_in(ctx: Context[Repository], caller: Caller,
              work: Callable[[Acting | None], T]) -> T:
    """``work(None)``, which reads the caller with :func:`kept_caller` inside the transaction it
    runs (issue 21: that read had a transaction of its own). The first time the caller acts
    here that raises :class:`NotKeptHere`: identity is asked, outside any transaction, and
    ``work`` runs again with its record."""
    try:
        return work(None)
    except NotKeptHere:
        return work(identity_caller(ctx, caller))


def account_updated(ctx: Context[Repository], data: dict[str, Any]) -> None:
    """identity's ``account_updated``: the name and e-mail shown for someone who acted here."""
    with ctx.unit() as uow:
        uow.repo.rename_person(data["account_id"], data["name"], data.get("email"), ctx.clock())
