"""What makes a bulletin valid: a title and a body, and the provider types it targets (all when
left out)."""
from __future__ import annotations

from typing import Any

from ponte.contracts.identity import PROVIDER_TYPES
from ponte.errors import InvalidInput


def check_bulletin(title: Any, body: Any, provider_types: Any) -> tuple[str, str, list | None]:
    """The bulletin's title, body and sorted target types; every field error at once."""
    errors: dict[str, list[str]] = {}
    for field, value in (("title", title), ("body", body)):
        if not isinstance(value, str) or not value.strip():
            errors[field] = ["Must not be blank."]
    if isinstance(title, str) and len(title) > 200:
        errors["title"] = ["At most 200 characters."]
    if provider_types is not None:
        if not isinstance(provider_types, list) or not provider_types:
            errors["provider_types"] = ["Give at least one provider type, or leave it out."]
        else:
            for index, value in enumerate(provider_types):
                if value not in PROVIDER_TYPES:
                    errors[f"provider_types.{index}"] = [
                        "Unknown provider type; choose from " + ", ".join(PROVIDER_TYPES) + "."]
    if errors:
        raise InvalidInput("The bulletin is not valid.", errors)
    return title.strip(), body.strip(), sorted(set(provider_types)) if provider_types else None
