"""The people who act here, as identity knows them: looked up before a unit of work (an RPC
never runs inside a transaction), and renamed when identity says so."""
from __future__ import annotations

from typing import Any

from ponte.caller import Caller
from ponte.errors import NotFound
from ponte.service_layer import Context
from services.attendance.repository import Repository


def account(ctx: Context[Repository], account_id: str) -> dict[str, Any] | None:
    """identity's record of an account, None if unknown."""
    found = ctx.rpc("identity", "get_accounts", [account_id])
    return found[0] if found else None


def caller_account(ctx: Context[Repository], caller: Caller) -> dict[str, Any]:
    found = account(ctx, caller.account_id)
    if found is None:
        raise NotFound("Your account no longer exists.")
    return found


def account_updated(ctx: Context[Repository], data: dict[str, Any]) -> None:
    """identity's ``account_updated``: the name and e-mail shown for someone who acted here."""
    with ctx.unit() as uow:
        uow.repo.rename_person(data["account_id"], data["name"], data.get("email"), ctx.clock())
