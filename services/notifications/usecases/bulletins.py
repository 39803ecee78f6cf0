"""Operators' bulletins to providers: published to the active logins of the targeted provider
types (all types when left out), read by those providers and their secretaries."""
from __future__ import annotations

from typing import Any

from ponte import attachments as uploads
from ponte.caller import Caller
from ponte.contracts.notifications import BULLETIN_PUBLISHED
from ponte.db import new_id
from ponte.errors import Forbidden
from ponte.roles import OPERATOR
from ponte.service_layer import Context
from services.notifications import views
from services.notifications.domain.bulletins import check_bulletin
from services.notifications.domain.incoming import Incoming
from services.notifications.domain.routing import Audience
from services.notifications.repository import Directory, Repository
from services.notifications.usecases.notices import notify

HOLDER = "notifications"
"""The name attachments are claimed for (``ponte.attachments``)."""


def publish_bulletin(ctx: Context[Repository], caller: Any, title: Any, body: Any,
                     provider_types: Any, attachment_ids: Any = None) -> dict:
    """Operators only. Stored, then one inbox item (and e-mail) for each active login of a
    targeted provider."""
    who = Caller.of(caller)
    if not who.has_staff_role(OPERATOR):
        raise Forbidden("Only operators publish bulletins.")
    title, body, provider_types = check_bulletin(title, body, provider_types)
    attachments = uploads.claim(list(attachment_ids), who.account_id, HOLDER) \
        if attachment_ids else []
    now = ctx.clock()
    bulletin = {"id": new_id(), "title": title, "body": body, "provider_types": provider_types,
                "attachments": attachments, "created_by": who.account_id, "created_at": now}
    with ctx.unit() as uow:
        uow.repo.inbox.add_bulletin(**bulletin)
        recipients = uow.repo.directory.provider_accounts(provider_types)
        event = Incoming(id=bulletin["id"], source=HOLDER, type=BULLETIN_PUBLISHED,
                         occurred_at=views.iso(now),
                         data={"title": title, "body": body, "bulletin_id": bulletin["id"],
                               "provider_types": provider_types, "link": "/api/v1/bulletins"})
        notify(uow, event, ctx.settings, now, Audience(accounts=tuple(recipients)))
    return views.bulletin(bulletin)


def list_bulletins(ctx: Context[Repository], caller: Any, provider_ids: list[str] | None,
                   limit: int, cursor: str | None) -> dict:
    with ctx.reading() as uow:
        readers = bulletin_readers(caller, uow.repo.directory, provider_ids)
        rows, next_cursor = uow.repo.inbox.bulletins_page(readers, limit, cursor)
        return {"items": [views.bulletin(row) for row in rows], "next_cursor": next_cursor}


def bulletin_audience(caller: Any, directory: Directory,
                      provider_ids: list[str] | None) -> set[str] | None:
    """The provider types whose bulletins the caller sees (None: all, for staff)."""
    readers = bulletin_readers(caller, directory, provider_ids)
    return None if readers is None else directory.provider_types(readers)


def bulletin_readers(caller: Any, directory: Directory,
                     provider_ids: list[str] | None) -> list[str] | None:
    """The providers whose bulletins the caller sees, by their types (None: all, for staff). A
    secretary sees those of the providers she acts for (``acting_for`` when the gateway sent
    it, else her active relationships)."""
    who = Caller.of(caller)
    if who.is_staff:
        return None
    if who.is_provider:
        ids = [who.provider_id] if who.provider_id else []
    elif who.is_secretary:
        if provider_ids is None and isinstance(caller, dict) \
                and isinstance(caller.get("acting_for"), dict):
            provider_ids = list(who.acting_for)
        ids = list(provider_ids if provider_ids is not None
                   else directory.providers_of(who.account_id))
        if not ids:
            raise Forbidden("Bulletins need an active relationship with a provider.")
    else:
        raise Forbidden("Bulletins are for providers and their secretaries.")
    return ids


def may_read_attachment(ctx: Context[Repository], caller: Any, attachment_id: str) -> bool:
    """Operators read every bulletin's attachments; a provider side those of the bulletins it
    sees."""
    with ctx.unit() as uow:
        bulletin = uow.repo.inbox.bulletin_of_attachment(attachment_id)
        if bulletin is None:
            return False
        who = Caller.of(caller)
        if who.is_staff:
            return who.has_staff_role(OPERATOR)
        try:
            types = bulletin_audience(caller, uow.repo.directory, None)
        except Forbidden:
            return False
        return bulletin.provider_types is None or bool(
            set(bulletin.provider_types) & (types or set()))
