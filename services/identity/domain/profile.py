"""What a provider's profile may hold (003, API.md "Precise points": ``phones`` is a list of
strings, ``opening_hours`` a string; images are jpg or png of at most 5 MiB)."""
from __future__ import annotations

import re
import uuid
from typing import Any, Mapping

from services.identity.domain.registration import Errors

ADDRESS_FIELDS = ("street", "number", "complement", "district", "city", "state", "postal_code")
MAX_PHONES = 10
IMAGE_TYPES = ("image/jpeg", "image/png")
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_PHONE = re.compile(r"[0-9+()\-. ]{3,30}")
_SHA256 = re.compile(r"[0-9a-f]{64}")
_LIMITS = {"opening_hours": 500, "description": 5000}


def _short_text(value: Any, limit: int) -> bool:
    return isinstance(value, str) and len(value) <= limit


def clean_profile(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The given fields, checked; ``null`` clears one."""
    errors, cleaned = Errors(), {}
    if "address" in changes:
        address = changes["address"]
        if address is None:
            cleaned["address"] = None
        elif not isinstance(address, Mapping):
            errors.add("address", "Must be an object.")
        else:
            for name in ADDRESS_FIELDS:
                value = address.get(name)
                if value is not None and not _short_text(value, 200):
                    errors.add(f"address.{name}", "Must be text of at most 200 characters.")
            cleaned["address"] = {name: address.get(name) for name in ADDRESS_FIELDS}
    if "phones" in changes:
        phones = changes["phones"] or []
        if not isinstance(phones, list) or len(phones) > MAX_PHONES:
            errors.add("phones", f"Must be a list of at most {MAX_PHONES} phone numbers.")
        else:
            for index, phone in enumerate(phones):
                if not isinstance(phone, str) or not _PHONE.fullmatch(phone.strip()):
                    errors.add(f"phones.{index}", "Not a valid phone number.")
            cleaned["phones"] = [p.strip() for p in phones if isinstance(p, str)]
    for name, limit in _LIMITS.items():
        if name in changes:
            value = changes[name]
            if value is not None and not _short_text(value, limit):
                errors.add(name, f"Must be text of at most {limit} characters.")
            cleaned[name] = value
    errors.raise_any()
    return cleaned


def clean_image(provider_id: str, image: Mapping[str, Any]) -> dict[str, Any]:
    """An image the gateway stored: the key must be where the provider's images live."""
    errors = Errors()
    image_id = image.get("id")
    try:
        image_id = str(uuid.UUID(str(image_id)))
    except ValueError:
        errors.add("id", "Not a valid id.")
    if image.get("key") != f"providers/{provider_id}/images/{image_id}":
        errors.add("key", "Not where this provider's images are stored.")
    if image.get("content_type") not in IMAGE_TYPES:
        errors.add("file", "Send a jpg or png image.")
    size = image.get("size")
    if not isinstance(size, int) or not 0 < size <= MAX_IMAGE_BYTES:
        errors.add("file", "An image has at most 5 MiB.")
    if not isinstance(image.get("sha256"), str) or not _SHA256.fullmatch(image["sha256"]):
        errors.add("sha256", "Not a SHA-256 digest.")
    errors.raise_any()
    filename = image.get("filename") if isinstance(image.get("filename"), str) else "image"
    return {"id": image_id, "key": image["key"], "filename": filename[:255] or "image",
            "content_type": image["content_type"], "size": size, "sha256": image["sha256"]}
