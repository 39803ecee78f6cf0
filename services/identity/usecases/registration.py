"""How accounts come to exist: self-registration, staff created by an admin, the bootstrap admin,
and providers pre-registered by an operator who then finish from an e-mailed link (000, 003)."""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from ponte.caller import Caller
from ponte.contracts.identity import ACTIVE, INVITED
from ponte.db import new_id
from ponte.errors import Conflict, NotFound
from ponte.roles import ADMIN, OPERATOR, PROVIDER, STAFF
from ponte.tokens import new_secret
from services.identity import events, views
from services.identity.domain import links
from services.identity.domain.passwords import policy_errors
from services.identity.domain.registration import (
    DEFAULT_LOCALE,
    SitePlan,
    completion,
    email_key,
    preregistration,
    search_key,
    self_registration,
    staff_member,
)
from services.identity.models import Account, Link, Provider, Site
from services.identity.usecases import Ctx, Uow, caller_account, passwords

log = logging.getLogger(__name__)
EMAIL_TAKEN = "An account with this e-mail already exists."
CPF_TAKEN = "An account of this kind with this CPF already exists."
LINK_GONE = "This link is unknown, used or expired."


def new_account(kind: str, email: str, name: str, now: datetime, **fields: Any) -> Account:
    fields.setdefault("status", ACTIVE)
    fields.setdefault("roles", [])
    fields.setdefault("locale", DEFAULT_LOCALE)
    fields.setdefault("email_key", email_key(email))
    return Account(id=new_id(), kind=kind, email=email, name=name, name_key=search_key(name),
                   created_at=now, updated_at=now, **fields)


def register(ctx: Ctx, kind: str, data: dict) -> dict:
    """A secretary (000) or a citizen registers itself; e-mail and CPF of the same kind are 409
    when taken."""
    plan = self_registration(kind, data)
    with ctx.unit() as uow:
        _check_free(uow, kind, plan.email, plan.cpf)
    password_hash = passwords(ctx).hash(data["password"])
    now = ctx.clock()
    with ctx.unit() as uow:
        _check_free(uow, kind, plan.email, plan.cpf)
        account = new_account(kind, plan.email, plan.name, now, cpf=plan.cpf, cpf_key=plan.cpf,
                              sex=plan.sex, secondary_email=plan.secondary_email,
                              locale=plan.locale, password_hash=password_hash,
                              terms_accepted_at=now)
        uow.repo.add(account)
        uow.flush_or_conflict("The e-mail or the CPF is already registered.",
                              {"email": [EMAIL_TAKEN], "cpf": [CPF_TAKEN]})
        uow.publish(events.registered(account))
        return views.account_summary(account)


def _check_free(uow: Uow, kind: str, email: str, cpf: str) -> None:
    if uow.repo.account_by_email(email) is not None:
        raise Conflict(EMAIL_TAKEN, {"email": [EMAIL_TAKEN]})
    if uow.repo.cpf_taken(kind, cpf):
        raise Conflict(CPF_TAKEN, {"cpf": [CPF_TAKEN]})


def create_staff(ctx: Ctx, caller: Caller, data: dict) -> dict:
    """Only an admin creates staff; the new member sets a password from an e-mailed link, the
    same kind of link as a password reset, valid as long as an invitation."""
    caller.require_staff_role()
    plan = staff_member(data)
    now = ctx.clock()
    with ctx.unit() as uow:
        if uow.repo.account_by_email(plan.email) is not None:
            raise Conflict(EMAIL_TAKEN, {"email": [EMAIL_TAKEN]})
        account = new_account(STAFF, plan.email, plan.name, now, locale=plan.locale,
                              roles=plan.roles)
        uow.repo.add(account)
        uow.flush_or_conflict(EMAIL_TAKEN, {"email": [EMAIL_TAKEN]})
        token = new_secret()
        link = uow.repo.new_link(links.PASSWORD_RESET, account.id, token,
                                 links.expiry("invitation", now), now)
        uow.publish(events.staff_created(account, token, link))
        return views.staff(account)


def bootstrap_admin(ctx: Ctx, email: str | None, password: str | None) -> None:
    """PONTE_ADMIN_EMAIL/PASSWORD: create that admin unless the e-mail exists. Replicas starting
    together race on the unique e-mail; the losers find it taken and stop."""
    if not email or not password:
        return
    with ctx.unit() as uow:
        if uow.repo.account_by_email(email) is not None:
            return
    if policy_errors(password):
        log.warning("PONTE_ADMIN_PASSWORD does not follow the password policy; used anyway")
    password_hash = passwords(ctx).hash(password)
    try:
        with ctx.unit() as uow:
            now = ctx.clock()
            uow.repo.add(new_account(STAFF, email.strip(), "Administrator", now,
                                     roles=[ADMIN], password_hash=password_hash))
            uow.flush_or_conflict(EMAIL_TAKEN, {})
    except Conflict:
        return
    log.info("bootstrap admin account created")


def preregister_provider(ctx: Ctx, caller: Caller, data: dict) -> dict:
    """One login per site, each invited by e-mail with a single-use link valid 7 days (003).
    A document or a site e-mail already in use is 409."""
    caller.require_staff_role(OPERATOR)
    plan = preregistration(data)
    now = ctx.clock()
    with ctx.unit() as uow:
        operator = caller_account(uow, caller).id
        if uow.repo.provider_by_document(plan.document) is not None:
            message = "A provider with this document already exists."
            raise Conflict(message, {"document": [message]})
        for index, site in enumerate(plan.sites):
            if uow.repo.account_by_email(site.email) is not None:
                field = f"sites.{index}.email" if plan.sites_given else "email"
                raise Conflict(EMAIL_TAKEN, {field: [EMAIL_TAKEN]})
        provider = Provider(id=new_id(), document=plan.document, person_type=plan.person_type,
                            legal_name=plan.legal_name, name_key=search_key(plan.legal_name),
                            email=plan.email,
                            secondary_email=plan.secondary_email, status=INVITED, phones=[],
                            created_by=operator, created_at=now, updated_at=now)
        uow.repo.add(provider)
        logins = [_site_login(provider, position, site, plan.locale, now)
                  for position, site in enumerate(plan.sites)]
        uow.repo.add(*logins)
        uow.flush_or_conflict("The document or an e-mail is already registered.",
                              {"document": ["Already registered."]})
        uow.publish(events.provider_preregistered(provider, operator, logins))
        for account in logins:
            invite_site(uow, account, now)
        return views.preregistered(provider)


def _site_login(provider: Provider, position: int, plan: SitePlan, locale: str,
                now: datetime) -> Account:
    """A site and its login, invited until the site finishes registering. A shared e-mail
    identifies no login until each site sets its own."""
    site = Site(id=new_id(), provider_id=provider.id, position=position, name=plan.name,
                email=plan.email, email_shared=plan.email_shared, status=INVITED,
                created_at=now)
    provider.sites.append(site)
    return new_account(PROVIDER, plan.email, plan.name, now, status=INVITED, locale=locale,
                       email_key=None if plan.email_shared else email_key(plan.email),
                       provider_id=provider.id, site_id=site.id)


def invite_site(uow: Uow, account: Account, now: datetime) -> None:
    """A registration link for one site (replacing an unused earlier one), sent by e-mail."""
    token = new_secret()
    link = uow.repo.new_link(links.REGISTRATION, account.id, token,
                             links.expiry("invitation", now), now)
    uow.publish(events.provider_invited(account, token, link))


def _registration_link(uow: Uow, token: Any, now: datetime) -> Link:
    link = uow.repo.link(links.REGISTRATION, token)
    if link is None or not links.usable(link.expires_at, link.used_at, now) \
            or link.account.status != INVITED:
        raise NotFound(LINK_GONE)
    return link


def get_registration(ctx: Ctx, token: Any) -> dict:
    with ctx.reading() as uow:
        account = _registration_link(uow, token, ctx.clock()).account
        return views.registration(account.provider, account.site)


def complete_registration(ctx: Ctx, token: Any, data: dict) -> dict:
    """The site's login is activated with its password, accepted terms, the provider type (set
    by the first site to finish) and, where the e-mail was shared, an e-mail of its own (003)."""
    with ctx.unit() as uow:
        _completion(uow, _registration_link(uow, token, ctx.clock()), data)
    password_hash = passwords(ctx).hash(data["password"])
    now = ctx.clock()
    with ctx.unit() as uow:
        link = _registration_link(uow, token, now)
        account, provider, site = link.account, link.account.provider, link.account.site
        plan, email = _completion(uow, link, data)
        if not uow.repo.use_link(link, now):
            raise NotFound(LINK_GONE)
        provider.provider_type, provider.status, provider.updated_at = (
            plan.provider_type, ACTIVE, now)
        site.status, site.email = ACTIVE, email
        account.status, account.email, account.email_key = ACTIVE, email, email_key(email)
        account.password_hash, account.sex = password_hash, plan.sex
        account.secondary_email, account.terms_accepted_at = plan.secondary_email, now
        account.updated_at = now
        uow.flush_or_conflict(EMAIL_TAKEN, {"email": [EMAIL_TAKEN]})
        uow.publish(events.provider_registered(account, email))
        return {"account": {"id": account.id, "kind": account.kind, "email": email}}


def _completion(uow: Uow, link: Link, data: dict) -> tuple[Any, str]:
    account = link.account
    provider, site = account.provider, account.site
    plan = completion(provider.person_type, provider.provider_type, site.email_shared, data)
    email = plan.email or site.email
    holder = uow.repo.account_by_email(email)
    if holder is not None and holder.id != account.id:
        raise Conflict(EMAIL_TAKEN, {"email": [EMAIL_TAKEN]})
    return plan, email
