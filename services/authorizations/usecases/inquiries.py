"""Inquiries: the provider side writes to the operator about a request or in general, under one
of two subjects, and reads the answers as a thread (003 "Comunicazioni con Pronto-Care")."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ponte.db import Transaction, new_id
from ponte.errors import InvalidInput, NotFound
from ponte.pagination import page
from ponte.roles import AUTHORIZATIONS, BILLING, OPERATOR
from services.authorizations.domain.actors import Actor
from services.authorizations.domain.inquiries import OPEN, SUBJECTS, status_after_message
from services.authorizations.events import audience
from services.authorizations.models import inquiries
from services.authorizations.repository import Repository
from services.authorizations.usecases import Context, remember_author
from services.authorizations.views import inquiry_view, message_view

ROLES = (AUTHORIZATIONS, BILLING)


def _is_operator(actor: Actor) -> bool:
    return actor.is_staff(OPERATOR)


def _require_message(message: str | None) -> str:
    if not (message or "").strip():
        raise InvalidInput("Write a message.", {"message": ["Must not be blank."]})
    return message  # type: ignore[return-value]


def _add_message(ctx: Context, tx: Transaction, repo: Repository, actor: Actor,
                 inquiry: dict[str, Any], message: str) -> dict:
    row = repo.add_inquiry_message(inquiry["id"], {
        "id": new_id(), "author_id": actor.account_id, "author_side": actor.side,
        "message": message, "created_at": ctx.now})
    repo.set_inquiry_status(inquiry["id"], status_after_message(actor.side), ctx.now)
    from_provider = actor.side == "provider"
    tx.publish("inquiry_message_added", {
        "inquiry_id": inquiry["id"], "message_id": row["id"], "subject": inquiry["subject"],
        "provider_id": inquiry["provider_id"], "request_id": inquiry["request_id"],
        "provider_legal_name": repo.provider_name(inquiry["provider_id"]),
        "author_side": actor.side, "actor_account_id": actor.account_id,
        "link": f"/api/v1/inquiries/{inquiry['id']}",
        "audience": audience(None if from_provider else inquiry["provider_id"],
                             [] if from_provider else list(ROLES),
                             [OPERATOR] if from_provider else [])})
    return row


def create_inquiry(ctx: Context, actor: Actor, data: dict[str, Any]) -> dict:
    provider_id = data["provider_id"]
    actor.require_provider(provider_id, *ROLES, what="provider")
    if data["subject"] not in SUBJECTS:
        raise InvalidInput("Unknown subject.", {"subject": [f"One of {', '.join(SUBJECTS)}."]})
    message = _require_message(data.get("message"))
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        if data.get("request_id") is not None:  # "" is no request either: 422, not stored
            request = repo.request(data["request_id"])
            if request is None or request.provider_id != provider_id:
                raise InvalidInput("No such request of this provider.",
                                   {"request_id": ["No such request of this provider."]})
        inquiry = {"id": new_id(), "provider_id": provider_id, "subject": data["subject"],
                   "status": OPEN, "request_id": data.get("request_id"),
                   "created_by": actor.account_id, "created_at": ctx.now, "updated_at": ctx.now}
        repo.add_inquiry(inquiry)
        _add_message(ctx, tx, repo, actor, inquiry, message)
        return _view(repo, inquiry["id"])


def _view(repo: Repository, inquiry_id: str) -> dict:
    inquiry = repo.inquiry(inquiry_id)
    messages = repo.inquiry_messages([inquiry_id]).get(inquiry_id, [])
    return inquiry_view(inquiry, messages, repo.account_names(m["author_id"] for m in messages))


def _load(repo: Repository, actor: Actor, inquiry_id: str, lock: bool = False) -> dict:
    inquiry = repo.inquiry(inquiry_id, lock=lock)
    if inquiry is None:
        raise NotFound("No such inquiry.")
    if not _is_operator(actor):
        actor.require_provider(inquiry["provider_id"], *ROLES, what="inquiry")
    return inquiry


def get_inquiry(ctx: Context, actor: Actor, inquiry_id: str) -> dict:
    with ctx.db.read() as session:
        repo = Repository(session)
        return _view(repo, _load(repo, actor, inquiry_id)["id"])


def list_inquiries(ctx: Context, actor: Actor, provider_id: str | None, status: str | None,
                   limit: int, cursor: str | None) -> dict:
    if not _is_operator(actor):
        if not provider_id:
            raise InvalidInput("Name the provider.", {"provider_id": ["Required."]})
        actor.require_provider(provider_id, *ROLES, what="provider")
    query = sa.select(inquiries)
    if provider_id:
        query = query.where(inquiries.c.provider_id == provider_id)
    if status:
        query = query.where(inquiries.c.status == status)
    with ctx.db.read() as session:
        repo = Repository(session)
        rows, next_cursor = page(session, query, [inquiries.c.created_at, inquiries.c.id],
                                 limit, cursor)
        threads = repo.inquiry_messages(r["id"] for r in rows)
        names = repo.account_names(m["author_id"] for ms in threads.values() for m in ms)
    return {"items": [inquiry_view(r, threads.get(r["id"], []), names) for r in rows],
            "next_cursor": next_cursor}


def add_message(ctx: Context, actor: Actor, inquiry_id: str, message: str) -> dict:
    message = _require_message(message)
    remember_author(ctx, actor)
    with ctx.db.transaction() as tx:
        repo = Repository(tx.session)
        inquiry = _load(repo, actor, inquiry_id, lock=True)
        row = _add_message(ctx, tx, repo, actor, inquiry, message)
        return message_view(row, repo.account_names([actor.account_id]))
