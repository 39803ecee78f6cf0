"""The people who act here, as identity knows them: looked up before a unit of work (an RPC
never runs inside a transaction), and renamed when identity says so."""
from __future__ import annotations

from typing import Any

from ponte.caller import Caller
from ponte.errors import NotFound
from ponte.freshness import Fresh
from ponte.service_layer import Context
from services.attendance.repository import Repository

CALLERS: Fresh[dict[str, Any] | None] = Fresh()
"""identity's record of the accounts calling here, kept with the gateway's freshness rule
(``ponte.freshness``): ``account_updated`` drops one at once, and 30 s bound the rest."""


def account(ctx: Context[Repository], account_id: str) -> dict[str, Any] | None:
    """identity's record of an account, None if unknown."""
    found = ctx.rpc("identity", "get_accounts", [account_id])
    return found[0] if found else None


def caller_account(ctx: Context[Repository], caller: Caller) -> dict[str, Any]:
    """The caller's own record (kept a short while: ``CALLERS``); 404 when it is gone."""
    found = CALLERS.get(caller.account_id, lambda: account(ctx, caller.account_id),
                        keep=lambda record: record is not None)
    if found is None:
        raise NotFound("Your account no longer exists.")
    return found


def account_updated(ctx: Context[Repository], data: dict[str, Any]) -> None:
    """identity's ``account_updated``: the name and e-mail shown for someone who acted here."""
    CALLERS.forget(data["account_id"])
    with ctx.unit() as uow:
        uow.repo.rename_person(data["account_id"], data["name"], data.get("email"), ctx.clock())
