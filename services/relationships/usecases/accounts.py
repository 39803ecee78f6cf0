"""What the relationships service knows of identity's accounts: providers (with their logins and
their accreditation to the operator) and secretaries, kept from identity's events, with an RPC
fallback for a secretary or provider whose event has not arrived yet. A deleted account's
relationships end and its pending invitations are cancelled."""
from __future__ import annotations

from ponte.clock import parse_iso
from ponte.config import settings
from ponte.contracts.identity import DELETED
from ponte.db import new_id
from ponte.errors import InvalidInput, NotFound
from ponte.messaging import Event
from ponte.roles import PROVIDER, SECRETARY
from services.relationships.domain.relationships import local_today
from services.relationships.usecases import Ctx, withdraw


def provider_preregistered(ctx: Ctx, event: Event) -> None:
    """The operator pre-registered the provider: it is accredited from that day (000 §3.2)."""
    data, config = event.data, settings()
    with ctx.unit() as uow:
        repo = uow.repo
        repo.save_provider(data["provider_id"], data["legal_name"], ctx.clock(),
                           document=data.get("document"), person_type=data.get("person_type"),
                           email=data.get("email"))
        for site in data.get("sites") or []:
            if site.get("account_id"):
                repo.add_login(site["account_id"], data["provider_id"])
        repo.accredit(data["provider_id"], config.operator_name, config.operator_ans_code,
                      local_today(parse_iso(event.occurred_at)), new_id())


def provider_registered(ctx: Ctx, event: Event) -> None:
    data = event.data
    with ctx.unit() as uow:
        if uow.repo.provider(data["provider_id"]) is not None:
            uow.repo.add_login(data["account_id"], data["provider_id"])
            uow.repo.set_provider_type(data["provider_id"], data.get("provider_type"),
                                       ctx.clock())


def secretary_registered(ctx: Ctx, event: Event) -> None:
    data = event.data
    with ctx.unit() as uow:
        uow.repo.save_secretary(data["account_id"], ctx.clock(), name=data["name"],
                                email=data["email"], locale=data.get("locale"), deleted=False)


def account_updated(ctx: Ctx, event: Event) -> None:
    data = event.data
    if data.get("kind") != SECRETARY:
        return
    with ctx.unit() as uow:
        uow.repo.save_secretary(data["account_id"], ctx.clock(), name=data["name"],
                                email=data["email"])


def email_changed(ctx: Ctx, event: Event) -> None:
    data = event.data
    with ctx.unit() as uow:
        if uow.repo.secretary(data["account_id"]) is not None:
            uow.repo.save_secretary(data["account_id"], ctx.clock(), email=data["new_email"])


def account_deleted(ctx: Ctx, event: Event) -> None:
    """Deleting a profile ends its relationships (003): a secretary's at once; a provider's
    when its last login is deleted."""
    data, now = event.data, ctx.clock()
    with ctx.unit() as uow:
        repo = uow.repo
        if data.get("kind") == SECRETARY:
            repo.save_secretary(data["account_id"], now, deleted=True,
                                **{k: data[k] for k in ("name", "email") if data.get(k)})
            pair = {"secretary_id": data["account_id"]}
        elif data.get("kind") == PROVIDER and data.get("provider_id"):
            repo.delete_login(data["account_id"])
            if repo.provider_account_ids(data["provider_id"]):
                return
            pair = {"provider_id": data["provider_id"]}
        else:
            return
        withdraw(uow, now, **pair)


def know_secretary(ctx: Ctx, secretary_id: str) -> dict:
    """The secretary from the read model, or from identity when her registration event has
    not arrived yet. Unknown or deleted ids are 404; other kinds of account 422."""
    with ctx.unit() as uow:
        secretary = uow.repo.secretary(secretary_id)
    if secretary is None:
        found = ctx.rpc("identity", "get_accounts", [secretary_id])
        account = found[0] if found else None
        if account is None or account.get("status") == DELETED:
            raise NotFound("No such secretary.", {"secretary_id": ["No such account."]})
        if account.get("kind") != SECRETARY:
            raise InvalidInput("Only secretaries can be invited.",
                               {"secretary_id": ["This account is not a secretary."]})
        with ctx.unit() as uow:
            uow.repo.save_secretary(secretary_id, ctx.clock(), name=account["name"],
                                    email=account["email"], deleted=False)
            secretary = uow.repo.secretary(secretary_id)
    if secretary["deleted"]:
        raise NotFound("No such secretary.", {"secretary_id": ["No such account."]})
    return secretary


def know_provider(ctx: Ctx, provider_id: str) -> None:
    """Make sure the provider is in the read model: normally its pre-registration event put
    it there long before anyone can act for it; if that event is still on its way, identity
    answers (and 404s an unknown id)."""
    with ctx.unit() as uow:
        if uow.repo.provider(provider_id) is not None:
            return
    provider = ctx.rpc("identity", "get_provider", provider_id)
    with ctx.unit() as uow:
        uow.repo.save_provider(provider_id, provider["legal_name"], ctx.clock())
