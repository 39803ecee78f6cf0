"""Read models of identity's accounts and providers (names for timelines and events), and who
may download a file attached here."""
from __future__ import annotations

from ponte.roles import AUTHORIZATIONS
from services.authorizations.domain.actors import Actor
from services.authorizations.repository import Repository
from services.authorizations.usecases import Context


def remember_account(ctx: Context, account_id: str, kind: str | None, name: str | None) -> None:
    if not account_id or not name:
        return
    with ctx.db.transaction() as tx:
        Repository(tx.session).save_account(account_id, ctx.now, kind=kind, name=name)


def remember_provider(ctx: Context, provider_id: str, legal_name: str | None) -> None:
    if not provider_id or not legal_name:
        return
    with ctx.db.transaction() as tx:
        Repository(tx.session).save_provider(provider_id, legal_name, ctx.now)


def may_read_attachment(ctx: Context, actor: Actor, attachment_id: str) -> bool:
    """Whoever may see the request a file is attached to: its provider side with
    ``authorizations``, operators and auditors."""
    with ctx.db.read() as session:
        repo = Repository(session)
        attachment = repo.attachment(attachment_id)
        if attachment is None:
            return False
        request = repo.request(attachment["request_id"])
    return request is not None and actor.may_see(request.provider_id, AUTHORIZATIONS)
