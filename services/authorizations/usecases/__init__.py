"""What the authorizations service does, testable without a broker: load through the
repository, apply the domain, save, record events, answer plain dicts. Every use case receives a
:class:`Context` (the service's database, "now", and a way to ask other services)."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable

from ponte import attachments as uploads
from ponte.errors import NotFound, PonteError
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.requests import AuthorizationRequest
from services.authorizations.repository import Repository

log = logging.getLogger(__name__)
HOLDER = "authorizations"
Remote = Callable[..., Any]


@dataclass
class Context:
    db: Any  # ponte.db.WorkerDatabase
    now: datetime
    remote: Remote | None = None


def claim_files(actor: Actor, attachment_ids: list[str] | None) -> list[dict]:
    """Only uploads made by the caller can be attached (``ponte.attachments``)."""
    if not attachment_ids:
        return []
    return uploads.claim(list(dict.fromkeys(attachment_ids)), actor.account_id, HOLDER)


_NAMED: set[str] = set()  # accounts whose name this process has seen stored


def remember_author(ctx: Context, actor: Actor) -> None:
    """Timelines show who wrote each entry: names come from identity's events; an account whose
    event has not arrived yet is asked for once (``get_accounts``).

    Called before the use case's transaction: the database driver is not cooperative under
    eventlet, so no remote call may wait while a transaction holds row locks."""
    if actor.account_id in _NAMED:
        return
    with ctx.db.read() as session:
        known = Repository(session).account_names([actor.account_id])
    if not known:
        name = None
        if ctx.remote is not None:
            try:
                found = ctx.remote("identity", "get_accounts", [actor.account_id])
                name = found[0]["name"] if found else None
            except PonteError as exc:  # identity unavailable: the name arrives with its events
                log.info("account name of %s not fetched: %s", actor.account_id, exc)
        if not name:
            return
        with ctx.db.transaction() as tx:
            Repository(tx.session).save_account(actor.account_id, ctx.now, kind=actor.kind,
                                                name=name)
    if len(_NAMED) > 100_000:
        _NAMED.clear()
    _NAMED.add(actor.account_id)


def load_request(repo: Repository, actor: Actor, request_id: str, *roles: str,
                 lock: bool = False) -> AuthorizationRequest:
    """The request if the caller may see it: operator staff, or its provider side holding one
    of ``roles``; anyone else is told it does not exist."""
    request = repo.request(request_id, lock=lock)
    if request is None:
        raise NotFound("No such authorization request.")
    actor.require_sees(request.provider_id, *roles)
    return request
