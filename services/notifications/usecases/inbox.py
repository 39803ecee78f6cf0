"""A person's inbox: its pages, read marks, and the items a reconnecting stream missed."""
from __future__ import annotations

from typing import Any

from ponte.caller import Caller
from ponte.errors import NotFound
from ponte.service_layer import Context
from services.notifications import views
from services.notifications.repository import Repository

REPLAY_LIMIT = 500


def list_notifications(ctx: Context[Repository], caller: Any, unread: bool, limit: int,
                       cursor: str | None) -> dict:
    account_id = Caller.of(caller).account_id
    with ctx.reading() as uow:
        rows, next_cursor, unread_count = uow.repo.inbox.page(account_id, unread, limit, cursor)
    return {"items": [views.notification(row) for row in rows],
            "next_cursor": next_cursor, "unread_count": unread_count}


def mark_read(ctx: Context[Repository], caller: Any, notification_id: str) -> None:
    with ctx.unit() as uow:
        if not uow.repo.inbox.mark_read(Caller.of(caller).account_id, str(notification_id),
                                        ctx.clock()):
            raise NotFound("No such notification.")


def mark_all_read(ctx: Context[Repository], caller: Any) -> None:
    with ctx.unit() as uow:
        uow.repo.inbox.mark_all_read(Caller.of(caller).account_id, ctx.clock())


def replay(ctx: Context[Repository], caller: Any, last_event_id: str) -> list[dict]:
    """The caller's items newer than the one a stream last delivered, oldest first."""
    with ctx.reading() as uow:
        return [views.notification(row._mapping) for row in uow.repo.inbox.after(
            Caller.of(caller).account_id, str(last_event_id), REPLAY_LIMIT)]
