"""One's own account: profile, e-mail, password, deletion, password resets (000, 003)."""
from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from ponte.caller import Caller
from ponte.config import settings
from ponte.contracts.identity import ACTIVE, DELETED, INVITED, SEARCH_WORD_MIN, search_words
from ponte.documents import normalise_cpf
from ponte.emails import mask_email, normalise_email
from ponte.errors import Conflict, InvalidInput, NotFound, Unauthenticated
from ponte.pagination import decode_cursor, encode_cursor
from ponte.tokens import new_secret
from services.identity import events, views
from services.identity.domain import links, lockout
from services.identity.domain.passwords import wrong_current_password
from services.identity.domain.registration import Errors, check_new_password, email_key, search_key
from services.identity.models import Account
from services.identity.usecases import Ctx, Uow, caller_account, passwords, revoke
from services.identity.usecases.registration import EMAIL_TAKEN, invite_site

log = logging.getLogger(__name__)
MAIL_WINDOW = timedelta(minutes=15)
NAME_PAGE = 10


def get_me(ctx: Ctx, caller: Caller) -> dict:
    with ctx.reading() as uow:
        record = uow.repo.active_account_record(caller.account_id or None)
    if record is None:
        raise Unauthenticated("This account is no longer active; sign in again.")
    return views.me(*record)


def update_me(ctx: Ctx, caller: Caller, changes: dict) -> dict:
    name, locale = changes.get("name"), changes.get("locale")
    with ctx.unit() as uow:
        account = caller_account(uow, caller)
        if name is not None:
            account.name, account.name_key = name, search_key(name)
        if "secondary_email" in changes:
            account.secondary_email = changes["secondary_email"]
        if locale is not None:
            account.locale = locale
        account.updated_at = ctx.clock()
        _account_updated(uow, account)
        return views.me(account, account.provider)


def _account_updated(uow: Uow, account: Account) -> None:
    uow.publish(events.account_updated(account))


def _confirm_password(ctx: Ctx, caller: Caller, data: dict, errors: Errors) -> None:
    """Changing the e-mail or the password, or deleting the profile, needs the current
    password (003); a wrong one is a 422 on ``current_password`` (API.md), answered with every
    other error of the form."""
    if "current_password" not in errors:
        with ctx.unit() as uow:
            password_hash = caller_account(uow, caller).password_hash
        if not passwords(ctx).verify(password_hash, data.get("current_password")):
            if not errors.fields:
                raise wrong_current_password()
            for message in wrong_current_password().errors["current_password"]:
                errors.add("current_password", message)
    errors.raise_any()


def change_email(ctx: Ctx, caller: Caller, data: dict) -> dict:
    _confirm_password(ctx, caller, data, Errors.given(data))
    new_email = data["new_email"]
    with ctx.unit() as uow:
        account = caller_account(uow, caller)
        old_email = account.email
        if email_key(new_email) != account.email_key:
            if uow.repo.account_by_email(new_email) is not None:
                raise Conflict(EMAIL_TAKEN, {"new_email": [EMAIL_TAKEN]})
        account.email, account.email_key = new_email, email_key(new_email)
        if account.site is not None:
            account.site.email = new_email
        account.updated_at = ctx.clock()
        uow.flush_or_conflict(EMAIL_TAKEN, {"new_email": [EMAIL_TAKEN]})
        uow.publish(events.email_changed(account, old_email))
        _account_updated(uow, account)
        return views.me(account, account.provider)


def change_password(ctx: Ctx, caller: Caller, session_id: str | None, data: dict) -> None:
    """Other sessions end; the one changing the password stays signed in."""
    errors = Errors.given(data)
    check_new_password(data, errors, "new_password")
    _confirm_password(ctx, caller, data, errors)
    password_hash = passwords(ctx).hash(data["new_password"])
    with ctx.unit() as uow:
        account = caller_account(uow, caller)
        _set_password(uow, account, password_hash, ctx, keep=session_id)


def _set_password(uow: Uow, account: Account, password_hash: str, ctx: Ctx,
                  keep: str | None = None) -> None:
    now = ctx.clock()
    account.password_hash, account.updated_at = password_hash, now
    revoke(uow, account.id, "password_changed", now, keep=keep)
    uow.publish(events.password_changed(account))


def delete_me(ctx: Ctx, caller: Caller, data: dict) -> None:
    """Deactivates the account, ends its sessions (and, through the event, its relationships)
    and confirms by e-mail; a provider's basic public data stays visible (003). Its e-mail and
    CPF are released for a future registration."""
    _confirm_password(ctx, caller, data, Errors.given(data))
    with ctx.unit() as uow:
        account = caller_account(uow, caller)
        now = ctx.clock()
        account.status, account.deleted_at, account.updated_at = DELETED, now, now
        account.email_key = account.cpf_key = None
        if account.site is not None:
            account.site.status = DELETED
            provider = account.provider
            if all(site.status == DELETED for site in provider.sites):
                provider.status, provider.updated_at = DELETED, now
        revoke(uow, account.id, "account_deleted", now)
        uow.publish(events.account_deleted(account))


def ask_password_reset(ctx: Ctx, email: Any) -> None:
    """Always the same answer, whether or not the e-mail exists (000), after the same work: the
    request is recorded in the outbox (``password_reset_asked``) whatever the address, and
    looking the account up and e-mailing it happen after the answer, in
    :func:`send_password_reset`. The answer's timing tells nothing."""
    try:
        address = normalise_email(email)
    except ValueError:
        return
    with ctx.unit() as uow:
        uow.publish(events.password_reset_asked(address))


def send_password_reset(ctx: Ctx, email: Any) -> None:
    """The reset link for the account with this e-mail, if any. A provider that never
    finished its registration gets a fresh registration link instead (003). An address gets
    at most ``PONTE_RATE_LIMIT_EMAILS_PER_ADDRESS`` such e-mails per 15 minutes (times the
    factor), counted in the database, so whoever types it cannot flood its mailbox."""
    try:
        address = normalise_email(email)
    except ValueError:
        return
    now = ctx.clock()
    with ctx.unit() as uow:
        account = uow.repo.account_by_email(address)
        if account is None or account.status == DELETED:
            return
        uow.repo.lock_account(account.id)  # concurrent handlers count one after another
        if uow.repo.links_since(account.id, now - MAIL_WINDOW) >= \
                settings().rate_limit("emails_per_address"):
            log.info("password reset for account %s not e-mailed: too many recently",
                     account.id)
            return
        if account.status == INVITED and account.site is not None:
            invite_site(uow, account, now)
            return
        token = new_secret()
        link = uow.repo.new_link(links.PASSWORD_RESET, account.id, token,
                                 links.expiry("password_reset", now), now)
        uow.publish(events.password_reset_requested(account, token, link))


def reset_password(ctx: Ctx, token: Any, data: dict) -> None:
    """A single-use, time-limited link sets a new password and ends every session (000)."""
    with ctx.unit() as uow:
        if _usable_reset_link(uow, token, ctx) is None:
            raise NotFound("This link is unknown, used or expired.")
    errors = Errors.given(data)
    check_new_password(data, errors)
    errors.raise_any()
    password_hash = passwords(ctx).hash(data["password"])
    with ctx.unit() as uow:
        link = _usable_reset_link(uow, token, ctx)
        if link is None or not uow.repo.use_link(link, ctx.clock()):
            raise NotFound("This link is unknown, used or expired.")
        _set_password(uow, link.account, password_hash, ctx)
        uow.repo.forget_throttle(lockout.account_key(link.account.id))


def _usable_reset_link(uow: Uow, token: Any, ctx: Ctx) -> Any:
    link = uow.repo.link(links.PASSWORD_RESET, token)
    if link is None or not links.usable(link.expires_at, link.used_at, ctx.clock()):
        return None
    return link if link.account.status == ACTIVE else None


def get_accounts(ctx: Ctx, ids: Any) -> list[dict]:
    wanted = [i for i in ids if isinstance(i, str)][:1000] if isinstance(ids, list) else []
    with ctx.reading() as uow:
        return [views.account_record(a) for a in uow.repo.accounts(wanted)]


def find_secretaries(ctx: Ctx, cpf: Any = None, email: Any = None,
                     name: Any = None, limit: Any = 50, cursor: Any = None) -> dict:
    """Exact CPF, exact e-mail (any letter case) or name (each word of the query starts some
    word of the name, ignoring case and accents: ``souza`` finds "Ana Maria Souza"); active
    secretaries only (000). Against directory harvesting each word of a name search has at
    least 3 characters, a name search answers at most 10 a page and masks e-mails
    (``pr***@example.org``); an exact CPF or e-mail finds the full record."""
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
    words = search_words(name) if name else []
    if by_name_only and not words or any(len(word) < SEARCH_WORD_MIN for word in words):
        raise InvalidInput(f"Each word of a name search needs at least {SEARCH_WORD_MIN} "
                           "characters.", {"name": [
                               f"Give words of at least {SEARCH_WORD_MIN} characters."]})
    limit = min(max(limit, 1), 200) if isinstance(limit, int) else 50
    if by_name_only:
        limit = min(limit, NAME_PAGE)
    after = _after(cursor)
    with ctx.unit() as uow:
        found = uow.repo.secretaries(cpf, email, words, after, limit + 1)
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
