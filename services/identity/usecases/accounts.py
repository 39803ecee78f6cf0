"""One's own account: profile, e-mail, password, deletion, password resets (000, 003)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from ponte.clock import iso
from ponte.config import settings
from ponte.documents import normalise_cpf
from ponte.emails import mask_email, normalise_email
from ponte.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from ponte.pagination import decode_cursor, encode_cursor
from ponte.tokens import new_secret
from services.identity import views
from services.identity.domain import links, lockout
from services.identity.domain.passwords import wrong_current_password
from services.identity.domain.registration import (Errors, check_new_password, email_key,
                                                   search_key)
from services.identity.models import Account
from services.identity.usecases import Identity, Unit, caller_account, revoke
from services.identity.usecases.registration import EMAIL_TAKEN, invite_site

log = logging.getLogger(__name__)
MAIL_WINDOW = timedelta(minutes=15)
NAME_PREFIX_MIN = 3
NAME_PAGE = 10


def get_me(identity: Identity, caller: dict) -> dict:
    with identity.reading() as unit:
        record = unit.repo.active_account_record(
            caller.get("account_id") if isinstance(caller, dict) else None)
    if record is None:
        raise Unauthenticated("This account is no longer active; sign in again.")
    return views.me(*record)


def update_me(identity: Identity, caller: dict, changes: dict) -> dict:
    name, locale = changes.get("name"), changes.get("locale")
    with identity.unit() as unit:
        account = caller_account(unit, caller)
        if name is not None:
            account.name, account.name_key = name, search_key(name)
        if "secondary_email" in changes:
            account.secondary_email = changes["secondary_email"]
        if locale is not None:
            account.locale = locale
        account.updated_at = identity.clock()
        _account_updated(unit, account)
        return views.me(account, account.provider)


def _account_updated(unit: Unit, account: Account) -> None:
    unit.publish("account_updated", {"account_id": account.id, "kind": account.kind,
                                     "name": account.name, "email": account.email})


def _confirm_password(identity: Identity, caller: dict, password: Any) -> None:
    """Changing the e-mail or the password, or deleting the profile, needs the current
    password (003); a wrong one is a 422 on ``current_password`` (API.md)."""
    with identity.unit() as unit:
        password_hash = caller_account(unit, caller).password_hash
    if not identity.passwords.verify(password_hash, password):
        raise wrong_current_password()


def change_email(identity: Identity, caller: dict, data: dict) -> dict:
    new_email = data["new_email"]
    _confirm_password(identity, caller, data.get("current_password"))
    with identity.unit() as unit:
        account = caller_account(unit, caller)
        old_email = account.email
        if email_key(new_email) != account.email_key:
            if unit.repo.account_by_email(new_email) is not None:
                raise Conflict(EMAIL_TAKEN, {"new_email": [EMAIL_TAKEN]})
        account.email, account.email_key = new_email, email_key(new_email)
        if account.site is not None:
            account.site.email = new_email
        account.updated_at = identity.clock()
        unit.flush_or_conflict(EMAIL_TAKEN, {"new_email": [EMAIL_TAKEN]})
        unit.publish("email_changed", {"account_id": account.id, "old_email": old_email,
                                       "new_email": new_email, "name": account.name,
                                       "locale": account.locale})
        _account_updated(unit, account)
        return views.me(account, account.provider)


def change_password(identity: Identity, caller: dict, data: dict) -> None:
    """Other sessions end; the one changing the password stays signed in."""
    errors = Errors()
    check_new_password(data, errors, "new_password")
    errors.raise_any()
    _confirm_password(identity, caller, data.get("current_password"))
    password_hash = identity.passwords.hash(data["new_password"])
    with identity.unit() as unit:
        account = caller_account(unit, caller)
        _set_password(unit, account, password_hash, identity, keep=caller.get("session_id"))


def _set_password(unit: Unit, account: Account, password_hash: str, identity: Identity,
                  keep: str | None = None) -> None:
    now = identity.clock()
    account.password_hash, account.updated_at = password_hash, now
    revoke(unit, account.id, "password_changed", now, keep=keep)
    unit.publish("password_changed", {"account_id": account.id, "email": account.email,
                                      "name": account.name, "locale": account.locale})


def delete_me(identity: Identity, caller: dict, data: dict) -> None:
    """Deactivates the account, ends its sessions (and, through the event, its relationships)
    and confirms by e-mail; a provider's basic public data stays visible (003). Its e-mail and
    CPF are released for a future registration."""
    _confirm_password(identity, caller, data.get("current_password"))
    with identity.unit() as unit:
        account = caller_account(unit, caller)
        now = identity.clock()
        account.status, account.deleted_at, account.updated_at = "deleted", now, now
        account.email_key = account.cpf_key = None
        if account.site is not None:
            account.site.status = "deleted"
            provider = account.provider
            if all(site.status == "deleted" for site in provider.sites):
                provider.status, provider.updated_at = "deleted", now
        revoke(unit, account.id, "account_deleted", now)
        unit.publish("account_deleted", {"account_id": account.id, "kind": account.kind,
                                         "email": account.email, "name": account.name,
                                         "provider_id": account.provider_id,
                                         "locale": account.locale})


def ask_password_reset(identity: Identity, email: Any) -> None:
    """Always the same answer, whether or not the e-mail exists (000), after the same work: the
    request is recorded in the outbox (``password_reset_asked``) whatever the address, and
    looking the account up and e-mailing it happen after the answer, in
    :func:`send_password_reset`. The answer's timing tells nothing."""
    try:
        address = normalise_email(email)
    except ValueError:
        return
    with identity.unit() as unit:
        unit.publish("password_reset_asked", {"email": address})


def send_password_reset(identity: Identity, email: Any) -> None:
    """The reset link for the account with this e-mail, if any. A provider that never
    finished its registration gets a fresh registration link instead (003). An address gets
    at most ``PONTE_RATE_LIMIT_EMAILS_PER_ADDRESS`` such e-mails per 15 minutes (times the
    factor), counted in the database, so whoever types it cannot flood its mailbox."""
    try:
        address = normalise_email(email)
    except ValueError:
        return
    now = identity.clock()
    with identity.unit() as unit:
        account = unit.repo.account_by_email(address)
        if account is None or account.status == "deleted":
            return
        unit.repo.lock_account(account.id)  # concurrent handlers count one after another
        if unit.repo.links_since(account.id, now - MAIL_WINDOW) >= \
                settings().rate_limit("emails_per_address"):
            log.info("password reset for account %s not e-mailed: too many recently",
                     account.id)
            return
        if account.status == "invited" and account.site is not None:
            invite_site(unit, account, now)
            return
        token = new_secret()
        link = unit.repo.new_link(links.PASSWORD_RESET, account.id, token,
                                  links.expiry("password_reset", now), now)
        unit.publish("password_reset_requested", {
            "account_id": account.id, "email": account.email, "name": account.name,
            "token": token, "expires_at": iso(link.expires_at),
            "locale": account.locale})


def reset_password(identity: Identity, token: Any, data: dict) -> None:
    """A single-use, time-limited link sets a new password and ends every session (000)."""
    with identity.unit() as unit:
        if _usable_reset_link(unit, token, identity) is None:
            raise NotFound("This link is unknown, used or expired.")
    errors = Errors()
    check_new_password(data, errors)
    errors.raise_any()
    password_hash = identity.passwords.hash(data["password"])
    with identity.unit() as unit:
        link = _usable_reset_link(unit, token, identity)
        if link is None or not unit.repo.use_link(link, identity.clock()):
            raise NotFound("This link is unknown, used or expired.")
        _set_password(unit, link.account, password_hash, identity)
        unit.repo.forget_throttle(lockout.account_key(link.account.id))


def _usable_reset_link(unit: Unit, token: Any, identity: Identity) -> Any:
    link = unit.repo.link(links.PASSWORD_RESET, token)
    if link is None or not links.usable(link.expires_at, link.used_at, identity.clock()):
        return None
    return link if link.account.status == "active" else None


def get_accounts(identity: Identity, ids: Any) -> list[dict]:
    wanted = [i for i in ids if isinstance(i, str)][:1000] if isinstance(ids, list) else []
    with identity.reading() as unit:
        return [views.account_record(a) for a in unit.repo.accounts(wanted)]


def find_secretaries(identity: Identity, cpf: Any = None, email: Any = None,
                     name: Any = None, limit: Any = 50, cursor: Any = None) -> dict:
    """Exact CPF, exact e-mail (any letter case) or name prefix (ignoring case and accents);
    active secretaries only (000). Against directory harvesting a name search needs at least
    3 characters, answers at most 10 a page, and masks e-mails (``pr***@example.org``); an exact
    CPF or e-mail finds the full record."""
    cpf, email, name = (v if isinstance(v, str) and v.strip() else None
                        for v in (cpf, email, name))
    if not (cpf or email or name):
        raise InvalidInput("Search by cpf, email or name.",
                           {"_query": ["Give cpf, email or name."]})
    if cpf:
        try:
            cpf = normalise_cpf(cpf)
        except ValueError as exc:
            raise InvalidInput(str(exc), {"cpf": [str(exc)]}) from None
    if email:
        try:
            email = normalise_email(email)
        except ValueError as exc:
            raise InvalidInput(str(exc), {"email": [str(exc)]}) from None
    by_name_only = not (cpf or email)
    if by_name_only and len(search_key(name)) < NAME_PREFIX_MIN:
        raise InvalidInput(f"A name search needs at least {NAME_PREFIX_MIN} characters.",
                           {"name": [f"Give at least {NAME_PREFIX_MIN} characters."]})
    limit = min(max(limit, 1), 200) if isinstance(limit, int) else 50
    if by_name_only:
        limit = min(limit, NAME_PAGE)
    after = _after(cursor)
    with identity.unit() as unit:
        found = unit.repo.secretaries(cpf, email, search_key(name) if name else None, after,
                                      limit + 1)
        items = [{"id": a.id, "name": a.name,
                  "email": mask_email(a.email) if by_name_only else a.email}
                 for a in found[:limit]]
        last = found[limit - 1] if len(found) > limit else None
    return {"items": items,
            "next_cursor": encode_cursor([last.name_key, last.id]) if last else None}


def _after(cursor: Any) -> tuple[str, str] | None:
    """The (name key, id) a secretary-search page ends at."""
    if not cursor:
        return None
    name_key, account_id = decode_cursor(cursor, 2)
    if not (isinstance(name_key, str) and isinstance(account_id, str)):
        raise InvalidInput("The cursor is not valid.", {"cursor": ["Not a valid cursor."]})
    return name_key, account_id
