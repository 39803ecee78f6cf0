"""What a service publishes: the event envelope, the outbox row a transaction writes, and the
topic exchange the relay publishes it to."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from kombu import Exchange

from ponte.clock import iso, now


@dataclass(frozen=True)
class Event:
    id: str
    type: str
    source: str
    occurred_at: str
    data: dict[str, Any]
    correlation_id: str | None = None

    @classmethod
    def from_envelope(cls, body: dict[str, Any]) -> Event:
        return cls(id=body["id"], type=body["type"], source=body["source"],
                   occurred_at=body["occurred_at"], data=body["data"],
                   correlation_id=body.get("correlation_id"))

    def envelope(self) -> dict[str, Any]:
        return {"id": self.id, "type": self.type, "source": self.source,
                "occurred_at": self.occurred_at, "data": self.data,
                "correlation_id": self.correlation_id}


def outbox_row(service: str, event_type: str, data: dict[str, Any],
               correlation_id: str | None) -> dict[str, Any]:
    moment = now()
    event = Event(id=str(uuid.uuid4()), type=event_type, source=service,
                  occurred_at=iso(moment), data=data, correlation_id=correlation_id)
    return {"id": event.id, "event_type": event_type, "payload": event.envelope(),
            "correlation_id": correlation_id, "created_at": moment}


def event_exchange(service: str) -> Exchange:
    return Exchange(f"{service}.events", type="topic", durable=True, delivery_mode=2)
