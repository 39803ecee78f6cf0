"""Rows and records of the notifications service as the plain dicts its RPC answers carry."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.notifications.domain.email import PENDING, RETRYING


def iso(moment: datetime | None) -> str | None:
    return moment.isoformat().replace("+00:00", "Z") if moment else None


def notification(row: Mapping[str, Any]) -> dict:
    return {"id": row["id"], "type": row["type"], "title": row["title"], "body": row["body"],
            "link": row["link"], "created_at": iso(row["created_at"]),
            "read_at": iso(row["read_at"])}


def bulletin(row: Mapping[str, Any]) -> dict:
    return {"id": row["id"], "title": row["title"], "body": row["body"],
            "provider_types": row["provider_types"], "attachments": list(row["attachments"]),
            "created_by": row["created_by"], "created_at": iso(row["created_at"])}


def email(row: Mapping[str, Any]) -> dict:
    """An e-mail's delivery state for operators: ``retrying`` carries the next attempt and
    ``failed`` the reason."""
    return {"id": row["id"], "type": row["notification_type"], "event_id": row["event_id"],
            "recipient": row["recipient"], "subject": row["subject"], "status": row["status"],
            "attempts": row["attempts"],
            "next_attempt_at": iso(row["next_attempt_at"])
            if row["status"] in (PENDING, RETRYING) else None,
            "last_error": row["last_error"], "created_at": iso(row["created_at"]),
            "sent_at": iso(row["sent_at"])}
