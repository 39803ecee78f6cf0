"""Who is calling, in this service's words: the one ``ponte.caller.Caller`` seen as a side of a
request's conversation, and as the operator's desk.

The gateway checks provider-scoped routes with the one permission rule (``ponte.acting``) and
passes along the providers a secretary acts for; the service re-checks ownership of what it
loads with the same data: a provider's requests, payments and inquiries are seen by its provider
side holding the named role, and by the desk; anyone else is told they do not exist (404)."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.contracts.authorizations import OPERATOR_SIDE, PROVIDER_SIDE
from ponte.roles import AUDITOR, OPERATOR

DESK: tuple[str, ...] = (OPERATOR, AUDITOR)
"""Operator employees who handle requests."""


def side(caller: Caller) -> str:
    """Interactions show whether the operator or the provider side wrote them (001)."""
    return OPERATOR_SIDE if caller.is_staff else PROVIDER_SIDE


def is_desk(caller: Caller) -> bool:
    return caller.has_staff_role(*DESK)


def may_see(caller: Caller, provider_id: str, *roles: str) -> bool:
    """The desk sees every provider's; the provider side needs one of ``roles``."""
    held = caller.roles_for(provider_id)
    return is_desk(caller) or (held is not None and bool(held & set(roles)))


def require_sees(caller: Caller, provider_id: str, *roles: str, what: str = "request") -> None:
    """The desk, or the provider side holding one of ``roles`` (403 without; 404 unrelated)."""
    caller.require_sees(provider_id, *roles, what=what, desk=DESK)


def require_provider_side(caller: Caller, provider_id: str, *roles: str,
                          what: str = "request") -> None:
    """Only the provider side holding one of ``roles`` (403 without; 404 for anyone else)."""
    caller.require_sees(provider_id, *roles, what=what)
