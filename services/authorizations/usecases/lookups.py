"""What other services own and a use case here must know first: an appointment (attendance)
and whether a provider's profile is complete (identity). Asked before any unit opens: no remote
call waits while a transaction holds row locks."""
from __future__ import annotations

from ponte.caller import Caller
from ponte.errors import InvalidInput, NotFound
from ponte.freshness import Fresh
from ponte.service_layer import Context

NOT_THE_PROVIDERS = "No such appointment of this provider."

COMPLETE_PROFILES: Fresh[list[str]] = Fresh()
"""Providers whose profile identity found complete, kept with the gateway's freshness rule
(``ponte.freshness``): a provider submitting over and over asks identity once in 30 s. An
incomplete answer is never kept, so completing a profile applies at once."""


def _as_context(caller: Caller) -> dict:
    """The caller as the gateway describes it, grants included, for attendance's own rule."""
    return {"account_id": caller.account_id, "kind": caller.kind, "roles": sorted(caller.roles),
            "provider_id": caller.provider_id,
            "acting_for": {provider: sorted(roles)
                           for provider, roles in caller.acting_for.items()}}


def appointment_errors(ctx: Context, caller: Caller, provider_id: str,
                       appointment_id: str | None) -> dict[str, list[str]]:
    """``{"appointment_id": [...]}`` unless the appointment named is one booked with
    ``provider_id`` that the caller may see (attendance's ``get_appointment``); ``{}`` when
    none is named."""
    if appointment_id is None:
        return {}
    try:
        found = ctx.rpc("attendance", "get_appointment", _as_context(caller), appointment_id)
    except (NotFound, InvalidInput):
        found = None
    if not found or found.get("provider_id") != provider_id:
        return {"appointment_id": [NOT_THE_PROVIDERS]}
    return {}


def missing_profile(ctx: Context, provider_id: str) -> list[str]:
    """The provider profile fields still required before it may operate ([] when complete)."""
    return COMPLETE_PROFILES.get(
        provider_id, lambda: list(ctx.rpc("identity", "get_missing_profile", provider_id) or []),
        keep=lambda missing: not missing)
