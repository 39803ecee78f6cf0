"""Stream tickets: a browser's EventSource sends no header, so it opens a stream with a
single-use ``?ticket=``, valid :data:`TICKET_TTL`. Only a ticket's digest is stored. The gateway
checks a ticket, takes a place for the stream, and only then redeems it: a stream refused for
the cap on open streams (429) leaves its ticket unspent."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from ponte.contracts.notifications import STREAM_TICKET_SECONDS
from ponte.errors import Unauthenticated
from ponte.service_layer import Context
from services.notifications.repository import Repository

TICKET_TTL = timedelta(seconds=STREAM_TICKET_SECONDS)
UNKNOWN = "This stream ticket is unknown, used or expired."


def _digest(ticket: str) -> str:
    return hashlib.sha256(ticket.encode()).hexdigest()


def issue_ticket(ctx: Context[Repository], caller: dict) -> dict:
    """A ticket for the caller's stream; the caller as the gateway sent it is kept with it."""
    now = ctx.clock()
    ticket = secrets.token_urlsafe(32)
    with ctx.unit() as uow:
        uow.repo.inbox.add_ticket(_digest(ticket), caller, now + TICKET_TTL, now)
    return {"ticket": ticket, "expires_in": int(TICKET_TTL.total_seconds())}


def check_ticket(ctx: Context[Repository], ticket: Any) -> dict:
    """The caller a ticket was issued to; the ticket stays unspent."""
    _check_shape(ticket)
    with ctx.reading() as uow:
        return _known(uow.repo.inbox.ticket_caller(_digest(ticket), ctx.clock()))


def redeem_ticket(ctx: Context[Repository], ticket: Any) -> dict:
    """The caller a ticket was issued to; the ticket is spent."""
    _check_shape(ticket)
    with ctx.unit() as uow:
        caller = uow.repo.inbox.use_ticket(_digest(ticket), ctx.clock())
    return _known(caller)


def _check_shape(ticket: Any) -> None:
    if not isinstance(ticket, str) or not ticket or len(ticket) > 200:
        raise Unauthenticated(UNKNOWN)


def _known(caller: dict | None) -> dict:
    if caller is None:
        raise Unauthenticated(UNKNOWN)
    return caller
