"""nameko face of the notifications service: each entrypoint translates its arguments and calls
one use case (``usecases``).

Every event that concerns a person becomes one inbox item per recipient, an e-mail where the
recipient's preferences allow, and a broadcast (``notifications_created``) that every gateway
pushes to the streams connected to it. Each handler runs in one unit of work that also marks the
event as processed, so a redelivered event adds nothing. Identity's and relationships' events
also keep the read models that resolve audiences (``usecases.read_models``). :class:`Delivery`
sends the e-mails, with retries; an entrypoint that may have queued one wakes it.
"""
from __future__ import annotations

from typing import TypeVar

from ponte.clock import Clock
from ponte.config import settings
from ponte.db import Database
from ponte.messaging import Event, handles
from ponte.service import BaseService, rpc
from ponte.service_layer import Context
from services.notifications.delivery import Delivery
from services.notifications.domain.incoming import Incoming
from services.notifications.repository import Repository
from services.notifications.usecases import (
    bulletins,
    deliveries,
    inbox,
    notices,
    preferences,
    streams,
)
from services.notifications.usecases.read_models import (
    ReadModel,
    apply_identity,
    apply_relationship,
)

T = TypeVar("T")


class NotificationsService(BaseService):
    name = "notifications"
    db = Database()
    clock = Clock()
    delivery = Delivery()

    # --- identity: read model + personal notices ----------------------------------------

    @handles("identity", "provider_preregistered", subscription="handle_provider_preregistered")
    def handle_provider_preregistered(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "provider_invited", subscription="handle_provider_invited")
    def handle_provider_invited(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "provider_registered", subscription="handle_provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "secretary_registered", subscription="handle_secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "citizen_registered", subscription="handle_citizen_registered")
    def handle_citizen_registered(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "staff_created", subscription="handle_staff_created")
    def handle_staff_created(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "password_reset_requested", subscription="handle_password_reset_requested")
    def handle_password_reset_requested(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "password_changed", subscription="handle_password_changed")
    def handle_password_changed(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "email_changed", subscription="handle_email_changed")
    def handle_email_changed(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        self._take(event, apply_identity)

    @handles("identity", "account_deleted", subscription="handle_account_deleted")
    def handle_account_deleted(self, event: Event) -> None:
        self._take(event, apply_identity)

    # --- relationships: grants read model + notices to either side ----------------------

    @handles("relationships", "invitation_sent", subscription="handle_invitation_sent")
    def handle_invitation_sent(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "invitation_accepted", subscription="handle_invitation_accepted")
    def handle_invitation_accepted(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "invitation_declined", subscription="handle_invitation_declined")
    def handle_invitation_declined(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "invitation_cancelled", subscription="handle_invitation_cancelled")
    def handle_invitation_cancelled(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "relationship_roles_changed",
             subscription="handle_relationship_roles_changed")
    def handle_relationship_roles_changed(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "relationship_ended", subscription="handle_relationship_ended")
    def handle_relationship_ended(self, event: Event) -> None:
        self._take(event, apply_relationship)

    @handles("relationships", "relationship_expired", subscription="handle_relationship_expired")
    def handle_relationship_expired(self, event: Event) -> None:
        self._take(event, apply_relationship)

    # --- authorizations: addressed by their ``audience`` --------------------------------

    @handles("authorizations", "request_submitted", subscription="handle_request_submitted")
    def handle_request_submitted(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "request_authorized", subscription="handle_request_authorized")
    def handle_request_authorized(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "request_partially_authorized",
             subscription="handle_request_partially_authorized")
    def handle_request_partially_authorized(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "request_denied", subscription="handle_request_denied")
    def handle_request_denied(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "request_appealed", subscription="handle_request_appealed")
    def handle_request_appealed(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "request_cancelled", subscription="handle_request_cancelled")
    def handle_request_cancelled(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "interaction_added", subscription="handle_interaction_added")
    def handle_interaction_added(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "payment_registered", subscription="handle_payment_registered")
    def handle_payment_registered(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "inquiry_message_added", subscription="handle_inquiry_message_added")
    def handle_inquiry_message_added(self, event: Event) -> None:
        self._take(event)

    @handles("authorizations", "audit_overdue", subscription="handle_audit_overdue")
    def handle_audit_overdue(self, event: Event) -> None:
        self._take(event)

    # --- attendance: addressed by their ``audience`` ------------------------------------

    @handles("attendance", "service_published", subscription="handle_service_published")
    def handle_service_published(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "attendant_access_requested",
             subscription="handle_attendant_access_requested")
    def handle_attendant_access_requested(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "attendant_access_approved",
             subscription="handle_attendant_access_approved")
    def handle_attendant_access_approved(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "attendant_access_rejected",
             subscription="handle_attendant_access_rejected")
    def handle_attendant_access_rejected(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "service_request_submitted",
             subscription="handle_service_request_submitted")
    def handle_service_request_submitted(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "service_request_approved",
             subscription="handle_service_request_approved")
    def handle_service_request_approved(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "service_request_rejected",
             subscription="handle_service_request_rejected")
    def handle_service_request_rejected(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "follow_up_added", subscription="handle_follow_up_added")
    def handle_follow_up_added(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "meeting_scheduled", subscription="handle_meeting_scheduled")
    def handle_meeting_scheduled(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "service_request_concluded",
             subscription="handle_service_request_concluded")
    def handle_service_request_concluded(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "service_request_overdue", subscription="handle_service_request_overdue")
    def handle_service_request_overdue(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "rating_submitted", subscription="handle_rating_submitted")
    def handle_rating_submitted(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "rating_moderated", subscription="handle_rating_moderated")
    def handle_rating_moderated(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "appointment_booked", subscription="handle_appointment_booked")
    def handle_appointment_booked(self, event: Event) -> None:
        self._take(event)

    @handles("attendance", "appointment_cancelled", subscription="handle_appointment_cancelled")
    def handle_appointment_cancelled(self, event: Event) -> None:
        self._take(event)

    def _take(self, event: Event, read_model: ReadModel | None = None) -> None:
        notices.take(self.ctx, Incoming(id=event.id, source=event.source, type=event.type,
                                        occurred_at=event.occurred_at, data=event.data,
                                        correlation_id=event.correlation_id),
                     read_model, emails_queued=self.delivery.wake)

    def _waking(self, answer: T) -> T:
        """E-mail delivery looks at once for what the use case may have queued."""
        self.delivery.wake()
        return answer

    @property
    def ctx(self) -> Context[Repository]:
        config = settings()
        return Context(self.db, Repository, clock=self.clock,
                       settings={"public_url": config.public_url, "time_zone": config.timezone})

    # --- inbox ---------------------------------------------------------------------------

    @rpc
    def list_notifications(self, caller: dict, unread: bool = False, limit: int = 50,
                           cursor: str | None = None) -> dict:
        return inbox.list_notifications(self.ctx, caller, unread, limit, cursor)

    @rpc
    def mark_read(self, caller: dict, notification_id: str) -> None:
        inbox.mark_read(self.ctx, caller, notification_id)

    @rpc
    def mark_all_read(self, caller: dict) -> None:
        inbox.mark_all_read(self.ctx, caller)

    @rpc
    def notifications_after(self, caller: dict, last_event_id: str) -> list[dict]:
        return inbox.replay(self.ctx, caller, last_event_id)

    # --- stream tickets ------------------------------------------------------------------

    @rpc
    def issue_stream_ticket(self, caller: dict) -> dict:
        return streams.issue_ticket(self.ctx, caller)

    @rpc
    def check_stream_ticket(self, ticket: str) -> dict:
        return streams.check_ticket(self.ctx, ticket)

    @rpc
    def redeem_stream_ticket(self, ticket: str) -> dict:
        return streams.redeem_ticket(self.ctx, ticket)

    # --- preferences ---------------------------------------------------------------------

    @rpc
    def get_preferences(self, caller: dict) -> dict:
        return preferences.get_preferences(self.ctx, caller)

    @rpc
    def put_preferences(self, caller: dict, email: dict | None = None,
                        patient_messages: bool | None = None) -> dict:
        return preferences.put_preferences(self.ctx, caller, email, patient_messages)

    # --- bulletins -----------------------------------------------------------------------

    @rpc
    def publish_bulletin(self, caller: dict, title: str, body: str,
                         provider_types: list[str] | None = None,
                         attachment_ids: list[str] | None = None) -> dict:
        return self._waking(bulletins.publish_bulletin(self.ctx, caller, title, body,
                                                       provider_types, attachment_ids))

    @rpc
    def list_bulletins(self, caller: dict, provider_ids: list[str] | None = None,
                       limit: int = 50, cursor: str | None = None) -> dict:
        return bulletins.list_bulletins(self.ctx, caller, provider_ids, limit, cursor)

    @rpc
    def may_read_attachment(self, caller: dict, attachment_id: str) -> bool:
        return bulletins.may_read_attachment(self.ctx, caller, attachment_id)

    # --- e-mail delivery, for operators ---------------------------------------------------

    @rpc
    def list_emails(self, caller: dict, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict:
        return deliveries.list_emails(self.ctx, caller, status, limit, cursor)

    @rpc
    def retry_email(self, caller: dict, email_id: str) -> dict:
        return self._waking(deliveries.retry_email(self.ctx, caller, email_id))
