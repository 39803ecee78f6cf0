"""The provider's public profile: address, phones, opening hours, description and images (003).
Changes stay in Ponte; they are not pushed to the operator's own systems (000)."""
from __future__ import annotations

import logging
from typing import Any

from ponte import storage
from ponte.caller import Caller
from ponte.contracts.identity import SEARCH_WORD_MIN, search_words
from ponte.errors import Conflict, Forbidden, InvalidInput, NotFound
from ponte.pagination import decode_cursor, encode_cursor
from services.identity import views
from services.identity.domain import providers as rules
from services.identity.domain.profile import clean_image, missing_profile, profile_changes
from services.identity.domain.registration import search_key
from services.identity.models import Provider, ProviderImage
from services.identity.usecases import Ctx, Uow

log = logging.getLogger(__name__)
MAX_IMAGES = 20


def get_provider(ctx: Ctx, provider_id: Any) -> dict:
    """Any provider, for other services (docs/rpc.md)."""
    with ctx.reading() as uow:
        return views.provider(_provider(uow, provider_id))


def show_provider(ctx: Ctx, caller: Caller, provider_id: Any) -> dict:
    """``GET /providers/{id}``: an active provider for anyone; another only for operators and
    its own side, who also see its status."""
    with ctx.reading() as uow:
        provider = _provider(uow, provider_id)
        if not rules.visible(caller, provider.id, provider.status):
            raise NotFound("No such provider.")
        return views.public_provider(provider, rules.sees_status(caller, provider.id))


def list_providers(ctx: Ctx, caller: Caller, q: str | None = None,
                   provider_type: str | None = None, city: str | None = None,
                   status: str | None = None, limit: int = 50,
                   cursor: str | None = None) -> dict:
    """``GET /providers``: by the words of the legal name (each starts some word of it), type
    and city, ordered by legal name; active ones unless an operator asks (003)."""
    words = search_words(q) if q else []
    if q is not None and (not words or any(len(w) < SEARCH_WORD_MIN for w in words)):
        raise InvalidInput("Each word of the search needs at least "
                           f"{SEARCH_WORD_MIN} characters.",
                           {"q": [f"Give words of at least {SEARCH_WORD_MIN} characters."]})
    statuses = rules.listed_statuses(caller, status)
    limit = min(max(limit, 1), 200) if isinstance(limit, int) else 50
    with ctx.reading() as uow:
        found = uow.repo.providers(words, provider_type, search_key(city) if city else None,
                                   statuses, _after(cursor), limit + 1)
        items = [views.public_provider(p, rules.sees_status(caller, p.id))
                 for p in found[:limit]]
    last = found[limit - 1] if len(found) > limit else None
    return {"items": items,
            "next_cursor": encode_cursor([last.name_key, last.id]) if last else None}


def _after(cursor: str | None) -> tuple[str, str] | None:
    """The (name key, id) a page of providers ends at."""
    if not cursor:
        return None
    name_key, provider_id = decode_cursor(cursor, 2)
    if not (isinstance(name_key, str) and isinstance(provider_id, str)):
        raise InvalidInput("The cursor is not valid.", {"cursor": ["Not a valid cursor."]})
    return name_key, provider_id


def get_missing_profile(ctx: Ctx, provider_id: Any) -> list[str]:
    """What the provider must still fill in before submitting requests or taking bookings
    (000 §3.2); ``[]`` when complete, and for an unknown id."""
    with ctx.reading() as uow:
        provider = uow.repo.provider(provider_id)
        return missing_profile(provider.address, provider.phones) if provider else []


def _provider(uow: Uow, provider_id: Any) -> Provider:
    provider = uow.repo.provider(provider_id)
    if provider is None:
        raise NotFound("No such provider.")
    return provider


def _require_provider_side(caller: Caller, provider_id: Any) -> None:
    """The gateway has checked a secretary's ``commercial`` role; a provider login may only
    change its own provider."""
    if caller.is_secretary:
        return
    if not caller.is_provider or caller.provider_id != provider_id:
        raise Forbidden("Only the provider's side may change its profile.")


def update_provider_profile(ctx: Ctx, caller: Caller, provider_id: Any,
                            changes: dict) -> dict:
    _require_provider_side(caller, provider_id)
    cleaned = profile_changes(changes)
    with ctx.unit() as uow:
        provider = _provider(uow, provider_id)
        for name, value in cleaned.items():
            setattr(provider, name, value)
        if "address" in cleaned:
            city = (provider.address or {}).get("city")
            provider.city_key = search_key(city) if city else None
        provider.updated_at = ctx.clock()
        return views.provider(provider)


def add_provider_image(ctx: Ctx, caller: Caller, provider_id: Any,
                       image: dict) -> dict:
    """Records an image the gateway already stored under ``providers/<id>/images/``."""
    _require_provider_side(caller, provider_id)
    fields = clean_image(provider_id, image)
    with ctx.unit() as uow:
        provider = _provider(uow, provider_id)
        if len(provider.images) >= MAX_IMAGES:
            raise Conflict(f"A provider has at most {MAX_IMAGES} images; remove one first.")
        record = ProviderImage(provider_id=provider.id, created_at=ctx.clock(), **fields)
        uow.repo.add(record)
        return views.image(record)


def remove_provider_image(ctx: Ctx, caller: Caller, provider_id: Any,
                          image_id: Any) -> None:
    _require_provider_side(caller, provider_id)
    with ctx.unit() as uow:
        record = uow.repo.image(_provider(uow, provider_id).id, image_id)
        if record is None:
            raise NotFound("No such image.")
        key = record.key
        uow.repo.session.delete(record)
    try:
        storage.store().delete(key)
    except Exception:  # the record is gone, so the object is unreachable; log and move on
        log.exception("could not delete the stored image %s", key)
