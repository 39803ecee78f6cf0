"""Signing in, refreshing, signing out (000, 001, API.md "Ctx")."""
from __future__ import annotations

import time
from datetime import datetime, timedelta
from typing import Any

from ponte.caller import Caller
from ponte.config import settings
from ponte.db import new_id
from ponte.documents import normalise_document
from ponte.emails import normalise_email
from ponte.errors import Conflict, TooManyAttempts, Unauthenticated
from ponte.roles import STAFF
from ponte.tokens import issue_access_token, new_access_claims
from services.identity import views
from services.identity.domain import lockout
from services.identity.domain.sessions import Refresh, RefreshToken, judge_refresh, session_ttl
from services.identity.models import Account, IssuedRefreshToken, LoginSession
from services.identity.usecases import Ctx, Uow, caller_account, passwords, revoke

BAD_CREDENTIALS = "The login or the password is not correct."
SEVERAL_ACCOUNTS = ("This CPF belongs to more than one account; sign in with your e-mail "
                    "address instead.")
SEVERAL_SITES = ("This CNPJ or CPF has several site logins; sign in with your site's e-mail "
                 "address instead.")
MAX_REVOCATION_WINDOW = 7 * 24 * 3600
WAIT_FOR_A_PLACE_SECONDS = 2.0  # within the gateway's RPC deadline, leaving time to check
WAIT_STEP_SECONDS = 0.05


def _login_target(login: Any) -> tuple[str, str] | None:
    """("email", address) or ("document", CPF/CNPJ); None for anything else."""
    if not isinstance(login, str) or not login.strip() or len(login) > 320:
        return None
    if "@" in login:
        try:
            return "email", normalise_email(login)
        except ValueError:
            return None
    try:
        return "document", normalise_document(login)[0]
    except ValueError:
        return None


def login(ctx: Ctx, login: Any, password: Any, remember_me: bool = False) -> dict:
    """Unknown logins and wrong passwords are answered alike, after the same work, and both
    count towards the lockout (API.md "Precise points"). The lockout belongs to the account
    the login names, whichever of its logins is used; an attempt takes its place under the
    lockout's row lock before the password is checked (``lockout`` explains why).

    A CPF that names more than one account (a citizen and a secretary, say), or a CNPJ/CPF of
    a provider with several site logins, signs into none: after a correct password the answer
    (409 on ``login``) asks for the e-mail instead."""
    target = _login_target(login)
    candidates, several_sites, keys = _take_a_place(ctx, login, target)
    shared = several_sites or len(candidates) > 1
    # hashes are checked outside any transaction: they take a while and must not hold locks
    matching: list[tuple[str, str]] = []
    try:
        matching = [(account_id, password_hash) for account_id, password_hash in candidates
                    if passwords(ctx).verify(password_hash, password)]
        if not candidates:
            passwords(ctx).verify(None, password)
        verified = matching[0] if len(matching) == 1 and not shared else None
        rehashed = None
        if verified is not None and passwords(ctx).needs_rehash(verified[1]):
            rehashed = passwords(ctx).hash(password)  # the configured cost changed
    except BaseException:
        _settle(ctx, keys, None)
        raise
    with ctx.unit() as uow:
        account = uow.repo.active_account(verified[0]) if verified else None
        _settle_in(uow, keys, account is not None, ctx.clock())
        if account is not None:
            if rehashed is not None:
                account.password_hash = rehashed
            return start_session(uow, account, bool(remember_me), ctx.clock())
    if matching and shared:
        message = SEVERAL_SITES if several_sites else SEVERAL_ACCOUNTS
        raise Conflict(message, {"login": [message]})
    raise Unauthenticated(BAD_CREDENTIALS)


def _take_a_place(ctx: Ctx, login: Any, target: tuple[str, str] | None
                  ) -> tuple[list[tuple[str, str]], bool, list[str]]:
    """The active accounts the login names (id, password hash), whether they are a provider's
    several site logins, and the lockout keys counted, once a
    place to check a password is taken on each key; refused while locked, and after waiting
    :data:`WAIT_FOR_A_PLACE_SECONDS` for a place. Waiting looks without locks, backing off, so
    a crowd of attempts does not queue on the row lock."""
    give_up, step = time.monotonic() + WAIT_FOR_A_PLACE_SECONDS, WAIT_STEP_SECONDS
    while True:
        now = ctx.clock()
        with ctx.reading() as uow:
            named, several_sites = uow.repo.login_candidates(*target) if target else ([], False)
            candidates = [(a.id, a.password_hash) for a in named]
            keys = sorted({lockout.account_key(account_id) for account_id, _ in candidates}) \
                or [lockout.login_key(login)]
            looked = [uow.repo.throttle(key, now) for key in keys]
        for throttle in looked:
            throttle.check(now)
        if all(throttle.has_room for throttle in looked):
            with ctx.unit() as uow:
                rows = [uow.repo.locked_throttle(key, now) for key in keys]  # one order
                throttles = [_throttle(row, now) for row in rows]
                for throttle in throttles:
                    throttle.check(now)
                if all(throttle.has_room for throttle in throttles):
                    for row, throttle in zip(rows, throttles, strict=True):
                        throttle.begin()
                        uow.repo.save_throttle(row, throttle, now)
                    return candidates, several_sites, keys
        if time.monotonic() + step > give_up:
            raise TooManyAttempts("Too many sign-in attempts at once; try again in a moment.",
                                  retry_after=1)
        time.sleep(step)
        step = min(step * 2, 0.4)


def _throttle(row: Any, now: datetime) -> lockout.Throttle:
    throttle = lockout.Throttle(row.failures, row.locks, row.locked_until, row.pending)
    throttle.forget_stale(now, row.updated_at)
    return throttle


def _settle(ctx: Ctx, keys: list[str], succeeded: bool | None) -> None:
    with ctx.unit() as uow:
        _settle_in(uow, keys, bool(succeeded), ctx.clock())


def _settle_in(uow: Uow, keys: list[str], succeeded: bool, now: datetime) -> None:
    """The attempt gives its place back, as a failure or as the success that clears the count."""
    for key in keys:
        row = uow.repo.locked_throttle(key, now)
        throttle = _throttle(row, now)
        if succeeded:
            throttle.succeeded()
        else:
            throttle.failed(now)
        uow.repo.save_throttle(row, throttle, now)


def start_session(uow: Uow, account: Account, remember_me: bool, now: datetime) -> dict:
    config = settings()
    ttl = session_ttl(remember_me, config.refresh_token_ttl, config.remember_me_ttl)
    record = LoginSession(id=new_id(), account_id=account.id,
                          remember_me=remember_me, created_at=now,
                          expires_at=now + timedelta(seconds=ttl))
    uow.repo.add(record)
    return _tokens(uow, account, record, now, ttl)


def _tokens(uow: Uow, account: Account, record: LoginSession, now: datetime,
            ttl: int) -> dict:
    config = settings()
    refresh_token = RefreshToken.issue(record.id)
    uow.repo.add(IssuedRefreshToken(digest=refresh_token.digest, session_id=record.id,
                                    created_at=now))
    claims = new_access_claims(account.id, account.kind, record.id, config.access_token_ttl,
                               roles=account.roles if account.kind == STAFF else (),
                               provider_id=account.provider_id)
    return {"access_token": issue_access_token(claims, config.secret_key),
            "refresh_token": str(refresh_token),
            "token_type": "Bearer",  # nosec B105 # OAuth token_type
            "expires_in": config.access_token_ttl, "refresh_expires_in": ttl,
            "account": views.account_summary(account)}


def refresh(ctx: Ctx, refresh_token: Any) -> dict:
    """Single use: the token presented is retired and a new one issued. A retired token coming
    back means a copy exists, so its whole session ends (API.md "Precise points")."""
    token, now = RefreshToken.parse(refresh_token), ctx.clock()
    if token is None:
        raise Unauthenticated("The refresh token is not valid; sign in again.")
    answer = None
    with ctx.unit() as uow:
        stored = uow.repo.refresh_token(token.digest)
        record = uow.repo.login_session(token.session_id) if stored else None
        account = uow.repo.active_account(record.account_id) if record else None
        outcome = judge_refresh(
            stored is not None and stored.session_id == token.session_id,
            stored is not None and stored.retired_at is not None,
            record is not None and record.revoked_at is not None,
            record.expires_at if record else None, account is not None, now)
        if outcome is Refresh.ROTATE and not uow.repo.retire_refresh_token(token.digest, now):
            outcome = Refresh.REUSED  # a concurrent refresh already used it
        if outcome is Refresh.REUSED:
            revoke(uow, record.account_id, "refresh_token_reused", now, only=record.id)
        elif outcome is Refresh.ROTATE:
            ttl = session_ttl(record.remember_me, settings().refresh_token_ttl,
                              settings().remember_me_ttl)
            record.expires_at = now + timedelta(seconds=ttl)
            answer = _tokens(uow, account, record, now, ttl)
    if answer is None:
        raise Unauthenticated("The refresh token is not valid; sign in again.")
    return answer


def logout(ctx: Ctx, caller: Caller, session_id: str | None) -> None:
    with ctx.unit() as uow:
        account = caller_account(uow, caller)
        revoke(uow, account.id, "logout", ctx.clock(), only=session_id or "")


def recent_revocations(ctx: Ctx, seconds: Any) -> list[str]:
    """Sessions revoked within the last ``seconds`` (a gateway catching up at start)."""
    window = min(max(int(seconds), 0), MAX_REVOCATION_WINDOW) if isinstance(
        seconds, (int, float)) else 0
    with ctx.unit() as uow:
        return uow.repo.revoked_since(ctx.clock() - timedelta(seconds=window))
