"""Who is calling, and the names of the accounts that write on timelines."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from ponte.caller import Caller
from ponte.errors import PonteError
from ponte.roles import SECRETARY
from ponte.service_layer import Context

log = logging.getLogger(__name__)

_NAMED: set[str] = set()  # accounts whose name this process has seen stored


def identify(ctx: Context, caller: Mapping[str, Any]) -> Caller:
    """The caller as the gateway describes it; a secretary's grants are asked of the
    relationships service when the gateway did not send them."""
    grants = caller.get("acting_for") if isinstance(caller, Mapping) else None
    if grants is None and isinstance(caller, Mapping) and caller.get("kind") == SECRETARY:
        grants = {g["provider_id"]: g["roles"]
                  for g in ctx.rpc("relationships", "acting_for", caller["account_id"])}
    return Caller.of(caller, grants)


def remember_author(ctx: Context, caller: Caller) -> None:
    """Timelines show who wrote each entry: names come from identity's events; an account whose
    event has not arrived yet is asked for once (``get_accounts``).

    Called before the use case's transaction: the database driver is not cooperative under
    eventlet, so no remote call may wait while a transaction holds row locks."""
    if caller.account_id in _NAMED:
        return
    with ctx.reading() as uow:
        known = uow.repo.account_names([caller.account_id])
    if not known:
        name = None
        try:
            found = ctx.rpc("identity", "get_accounts", [caller.account_id])
            name = found[0]["name"] if found else None
        except PonteError as exc:  # identity unavailable: the name arrives with its events
            log.info("account name of %s not fetched: %s", caller.account_id, exc)
        if not name:
            return
        with ctx.unit() as uow:
            uow.repo.save_account(caller.account_id, ctx.clock(), kind=caller.kind, name=name)
    if len(_NAMED) > 100_000:
        _NAMED.clear()
    _NAMED.add(caller.account_id)
