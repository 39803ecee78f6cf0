"""Attachments: uploads (``POST /api/v1/uploads``) that a service attaches to something it owns.

An upload is stored under ``uploads/<id>`` with its uploader as ``owner``. Only the uploader may
attach it (:func:`claim`). Attaching records which service now *holds* it (a marker object
``holders/<id>/<service>``), so that ``GET /api/v1/attachments/{id}`` can ask that service whether
a caller other than the uploader may read it: every holder service implements the RPC
``may_read_attachment(caller, attachment_id) -> bool`` with its own rules (the gateway copies
none of them). The caller it receives carries ``acting_for`` (provider id → roles) for
secretaries and providers.
"""
from __future__ import annotations

import io
import uuid
from collections.abc import Sequence

from ponte import storage
from ponte.errors import InvalidInput

HOLDERS = ("authorizations", "attendance", "notifications")


def upload_key(upload_id: str) -> str:
    return f"uploads/{upload_id}"


def is_uuid(value: object) -> bool:
    """A UUID in its canonical form, the only one used in object keys."""
    try:
        return str(uuid.UUID(str(value))) == value
    except ValueError:
        return False


def upload(upload_id: str) -> storage.StoredObject | None:
    return storage.store().info(upload_key(upload_id)) if is_uuid(upload_id) else None


def view(stored: storage.StoredObject) -> dict:
    """What every ``attachments`` list holds (API.md): the id is the upload's id."""
    return {"id": stored.metadata["id"], "filename": stored.filename,
            "content_type": stored.content_type, "size": stored.size}


def claim(upload_ids: Sequence[str], account_id: str, holder: str,
          field: str = "attachment_ids") -> list[dict]:
    """Attach the caller's own uploads for ``holder``: every id must name an upload made by
    ``account_id`` (else 422 on ``attachment_ids.N``, nothing recorded). Returns their
    descriptions, in the order given, without repeats."""
    if holder not in HOLDERS:
        raise ValueError(f"{holder} is not a service that holds attachments")
    found: dict[str, storage.StoredObject] = {}
    errors: dict[str, list[str]] = {}
    for index, upload_id in enumerate(upload_ids):
        stored = upload(upload_id) if isinstance(upload_id, str) else None
        if stored is None or stored.metadata.get("owner") != account_id:
            errors[f"{field}.{index}"] = ["No such upload of yours."]
        else:
            found.setdefault(upload_id, stored)
    if errors:
        raise InvalidInput("Attach only files you uploaded.", errors)
    store = storage.store()
    for upload_id in found:
        marker = f"holders/{upload_id}/{holder}"
        if not store.exists(marker):
            store.put_stream(marker, io.BytesIO(holder.encode()), max_bytes=64, allowed=None,
                             filename=holder, metadata={"holder": holder})
    return [view(stored) for stored in found.values()]


def holders(upload_id: str) -> list[str]:
    """The services an upload is attached in."""
    if not is_uuid(upload_id):
        return []
    store = storage.store()
    return [holder for holder in HOLDERS if store.exists(f"holders/{upload_id}/{holder}")]
