"""Read models of identity's accounts and providers (names for timelines and events), and who
may download a file attached here."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ponte.roles import AUTHORIZATIONS
from ponte.service_layer import Context
from services.authorizations.domain.callers import may_see
from services.authorizations.usecases.callers import identify


def remember_account(ctx: Context, account_id: str, kind: str | None, name: str | None) -> None:
    if not account_id or not name:
        return
    with ctx.unit() as uow:
        uow.repo.save_account(account_id, ctx.clock(), kind=kind, name=name)


def remember_provider(ctx: Context, provider_id: str, legal_name: str | None) -> None:
    if not provider_id or not legal_name:
        return
    with ctx.unit() as uow:
        uow.repo.save_provider(provider_id, legal_name, ctx.clock())


def may_read_attachment(ctx: Context, caller: Mapping[str, Any], attachment_id: str) -> bool:
    """Whoever may see the request a file is attached to: its provider side with
    ``authorizations``, operators and auditors."""
    who = identify(ctx, caller)
    with ctx.reading() as uow:
        attachment = uow.repo.attachment(attachment_id)
        if attachment is None:
            return False
        request = uow.repo.request(attachment["request_id"])
    return request is not None and may_see(who, request.provider_id, AUTHORIZATIONS)
