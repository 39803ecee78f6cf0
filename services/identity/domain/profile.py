"""A provider's profile (003): what a change records, when the profile is complete enough to
operate (000 §3.2), and where its images live. The shape of what arrives (types, lengths, phone
numbers, UF, CEP) was checked at the edge (``gateway/identity/schemas.py``)."""
from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from typing import Any

from ponte.contracts.identity import ADDRESS_FIELDS, MAX_IMAGE_BYTES, REQUIRED_ADDRESS_FIELDS
from services.identity.domain.registration import Errors

IMAGE_TYPES = ("image/jpeg", "image/png")
_SHA256 = re.compile(r"[0-9a-f]{64}")
TEXTS = ("opening_hours", "description")


def profile_changes(changes: Mapping[str, Any]) -> dict[str, Any]:
    """The fields given, as stored: an address keeps every address field (absent ones empty);
    ``null`` clears a field."""
    cleaned: dict[str, Any] = {}
    if "address" in changes:
        address = changes["address"]
        cleaned["address"] = None if address is None else {
            name: address.get(name) for name in ADDRESS_FIELDS}
    if "phones" in changes:
        cleaned["phones"] = list(changes["phones"] or [])
    for name in TEXTS:
        if name in changes:
            cleaned[name] = changes[name]
    return cleaned


def missing_profile(address: Mapping[str, Any] | None, phones: list[str] | None) -> list[str]:
    """What a provider must still fill in before submitting requests or taking bookings
    (000 §3.2, API.md ``missing_profile``): street, number, district, city, state and postal
    code of the address, and at least one phone; ``[]`` when complete."""
    address = address or {}
    missing = [f"address.{name}" for name in REQUIRED_ADDRESS_FIELDS
               if not (isinstance(address.get(name), str) and address[name].strip())]
    if not any(isinstance(phone, str) and phone.strip() for phone in phones or []):
        missing.append("phones")
    return missing


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
