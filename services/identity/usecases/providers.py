"""The provider's public profile: address, phones, opening hours, description and images (003).
Changes stay in Ponte; they are not pushed to the operator's own systems (000)."""
from __future__ import annotations

import logging
from typing import Any

from ponte import storage
from ponte.caller import Caller
from ponte.errors import Conflict, Forbidden, NotFound
from services.identity import views
from services.identity.domain.profile import clean_image, profile_changes
from services.identity.models import Provider, ProviderImage
from services.identity.usecases import Ctx, Uow

log = logging.getLogger(__name__)
MAX_IMAGES = 20


def get_provider(ctx: Ctx, provider_id: Any) -> dict:
    with ctx.reading() as uow:
        return views.provider(_provider(uow, provider_id))


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
