"""E-mail deliveries as administrators see them, and sending a failed one again."""
from __future__ import annotations

from typing import Any

from ponte.caller import Caller
from ponte.errors import Conflict, Forbidden, NotFound
from ponte.service_layer import Context
from services.notifications import views
from services.notifications.domain.email import NotFailed
from services.notifications.repository import Repository


def list_emails(ctx: Context[Repository], caller: Any, status: str | None, limit: int,
                cursor: str | None) -> dict:
    """Newest first, optionally of one status (admin)."""
    if not Caller.of(caller).is_admin:
        raise Forbidden("Only administrators see e-mail deliveries.")
    with ctx.reading() as uow:
        rows, next_cursor = uow.repo.inbox.emails_page(status, limit, cursor)
        return {"items": [views.email(row) for row in rows], "next_cursor": next_cursor}


def retry_email(ctx: Context[Repository], caller: Any, email_id: str) -> dict:
    """Send a failed e-mail again (admin): 404 unknown, 409 unless failed."""
    if not Caller.of(caller).is_admin:
        raise Forbidden("Only administrators send e-mails again.")
    with ctx.unit() as uow:
        emails = uow.repo.emails
        email = emails.get(str(email_id))
        if email is None:
            raise NotFound("No such e-mail.")
        try:
            email.retry(ctx.clock())
        except NotFailed:
            raise Conflict(f"Only a failed e-mail can be sent again; this one is "
                           f"{email.status}.") from None
        if not emails.save_retry(email):
            raise Conflict("This e-mail changed meanwhile; look again.")
        return views.email(emails.row(email.id))
