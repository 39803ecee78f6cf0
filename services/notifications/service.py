"""nameko face of the notifications service.

Every event that concerns a person becomes one inbox item per recipient, an e-mail where the
recipient's preferences allow, and a broadcast (``notifications_created``) that every gateway
pushes to the streams connected to it. Each handler runs in one transaction that also marks the
event as processed, so a redelivered event adds nothing. Identity's and relationships' events
also keep the read models that resolve audiences (``usecases.apply_*``). :class:`Delivery`
sends the e-mails, with retries.
"""
from __future__ import annotations

from typing import Any, Callable

from prometheus_client import Counter

from ponte.clock import Clock
from ponte.config import settings
from ponte.db import Database
from ponte.errors import Forbidden
from ponte.messaging import Event, handles
from ponte.service import BaseService, rpc
from services.notifications import usecases, views
from services.notifications.delivery import Delivery
from services.notifications.repository import Directory, Inbox
from services.notifications.usecases import Context, Incoming

ReadModel = Callable[[Directory, Incoming, Any], None]
CREATED = Counter("ponte_notifications_created_total", "Inbox items created",
                  ["notification_type"])


class NotificationsService(BaseService):
    name = "notifications"
    db = Database()
    clock = Clock()
    delivery = Delivery()

    # --- identity: read model + personal notices ----------------------------------------

    @handles("identity", "provider_preregistered", subscription="handle_provider_preregistered")
    def handle_provider_preregistered(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "provider_invited", subscription="handle_provider_invited")
    def handle_provider_invited(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "provider_registered", subscription="handle_provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "secretary_registered", subscription="handle_secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "citizen_registered", subscription="handle_citizen_registered")
    def handle_citizen_registered(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "staff_created", subscription="handle_staff_created")
    def handle_staff_created(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "password_reset_requested", subscription="handle_password_reset_requested")
    def handle_password_reset_requested(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "password_changed", subscription="handle_password_changed")
    def handle_password_changed(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "email_changed", subscription="handle_email_changed")
    def handle_email_changed(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "account_updated", subscription="handle_account_updated")
    def handle_account_updated(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    @handles("identity", "account_deleted", subscription="handle_account_deleted")
    def handle_account_deleted(self, event: Event) -> None:
        self._consume(event, usecases.apply_identity)

    # --- relationships: grants read model + notices to either side ----------------------

    @handles("relationships", "invitation_sent", subscription="handle_invitation_sent")
    def handle_invitation_sent(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "invitation_accepted", subscription="handle_invitation_accepted")
    def handle_invitation_accepted(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "invitation_declined", subscription="handle_invitation_declined")
    def handle_invitation_declined(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "invitation_cancelled", subscription="handle_invitation_cancelled")
    def handle_invitation_cancelled(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "relationship_roles_changed",
             subscription="handle_relationship_roles_changed")
    def handle_relationship_roles_changed(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "relationship_ended", subscription="handle_relationship_ended")
    def handle_relationship_ended(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    @handles("relationships", "relationship_expired", subscription="handle_relationship_expired")
    def handle_relationship_expired(self, event: Event) -> None:
        self._consume(event, usecases.apply_relationship)

    # --- authorizations: addressed by their ``audience`` --------------------------------

    @handles("authorizations", "request_submitted", subscription="handle_request_submitted")
    def handle_request_submitted(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "request_authorized", subscription="handle_request_authorized")
    def handle_request_authorized(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "request_partially_authorized",
             subscription="handle_request_partially_authorized")
    def handle_request_partially_authorized(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "request_denied", subscription="handle_request_denied")
    def handle_request_denied(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "request_appealed", subscription="handle_request_appealed")
    def handle_request_appealed(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "request_cancelled", subscription="handle_request_cancelled")
    def handle_request_cancelled(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "interaction_added", subscription="handle_interaction_added")
    def handle_interaction_added(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "payment_registered", subscription="handle_payment_registered")
    def handle_payment_registered(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "inquiry_message_added", subscription="handle_inquiry_message_added")
    def handle_inquiry_message_added(self, event: Event) -> None:
        self._consume(event)

    @handles("authorizations", "audit_overdue", subscription="handle_audit_overdue")
    def handle_audit_overdue(self, event: Event) -> None:
        self._consume(event)

    # --- attendance: addressed by their ``audience`` ------------------------------------

    @handles("attendance", "service_published", subscription="handle_service_published")
    def handle_service_published(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "attendant_access_requested",
             subscription="handle_attendant_access_requested")
    def handle_attendant_access_requested(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "attendant_access_approved",
             subscription="handle_attendant_access_approved")
    def handle_attendant_access_approved(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "attendant_access_rejected",
             subscription="handle_attendant_access_rejected")
    def handle_attendant_access_rejected(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "service_request_submitted",
             subscription="handle_service_request_submitted")
    def handle_service_request_submitted(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "service_request_approved",
             subscription="handle_service_request_approved")
    def handle_service_request_approved(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "service_request_rejected",
             subscription="handle_service_request_rejected")
    def handle_service_request_rejected(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "follow_up_added", subscription="handle_follow_up_added")
    def handle_follow_up_added(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "meeting_scheduled", subscription="handle_meeting_scheduled")
    def handle_meeting_scheduled(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "service_request_concluded",
             subscription="handle_service_request_concluded")
    def handle_service_request_concluded(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "service_request_overdue", subscription="handle_service_request_overdue")
    def handle_service_request_overdue(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "rating_submitted", subscription="handle_rating_submitted")
    def handle_rating_submitted(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "rating_moderated", subscription="handle_rating_moderated")
    def handle_rating_moderated(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "appointment_booked", subscription="handle_appointment_booked")
    def handle_appointment_booked(self, event: Event) -> None:
        self._consume(event)

    @handles("attendance", "appointment_cancelled", subscription="handle_appointment_cancelled")
    def handle_appointment_cancelled(self, event: Event) -> None:
        self._consume(event)

    def _consume(self, event: Event, read_model: ReadModel | None = None) -> None:
        incoming = Incoming(id=event.id, source=event.source, type=event.type,
                            occurred_at=event.occurred_at, data=event.data,
                            correlation_id=event.correlation_id)
        now = self.clock()
        with self.db.transaction() as tx:
            if read_model is not None:
                read_model(Directory(tx.session), incoming, now)
            created = usecases.notify(tx, incoming, _context(), now,
                                      wait_for_addresses=True)
        if created:
            CREATED.labels(incoming.notification_type).inc(len(created))
        self.delivery.wake()

    # --- inbox ---------------------------------------------------------------------------

    @rpc
    def list_notifications(self, caller: dict, unread: bool = False, limit: int = 50,
                           cursor: str | None = None) -> dict:
        with self.db.read() as session:
            return usecases.list_notifications(Inbox(session), caller, unread, limit, cursor)

    @rpc
    def mark_read(self, caller: dict, notification_id: str) -> None:
        with self.db.transaction() as tx:
            usecases.mark_read(Inbox(tx.session), caller, notification_id, self.clock())

    @rpc
    def mark_all_read(self, caller: dict) -> None:
        with self.db.transaction() as tx:
            Inbox(tx.session).mark_all_read(caller["account_id"], self.clock())

    @rpc
    def notifications_after(self, caller: dict, last_event_id: str) -> list[dict]:
        with self.db.read() as session:
            return usecases.replay(Inbox(session), caller, last_event_id)

    # --- stream tickets ------------------------------------------------------------------

    @rpc
    def issue_stream_ticket(self, caller: dict) -> dict:
        with self.db.transaction() as tx:
            return usecases.issue_ticket(Inbox(tx.session), caller, self.clock())

    @rpc
    def redeem_stream_ticket(self, ticket: str) -> dict:
        with self.db.transaction() as tx:
            return usecases.redeem_ticket(Inbox(tx.session), ticket, self.clock())

    # --- preferences ---------------------------------------------------------------------

    @rpc
    def get_preferences(self, caller: dict) -> dict:
        with self.db.read() as session:
            return usecases.get_preferences(Inbox(session), caller)

    @rpc
    def put_preferences(self, caller: dict, email: dict | None = None,
                        patient_messages: bool | None = None) -> dict:
        with self.db.transaction() as tx:
            return usecases.put_preferences(Inbox(tx.session), caller, email, patient_messages)

    # --- bulletins -----------------------------------------------------------------------

    @rpc
    def publish_bulletin(self, caller: dict, title: str, body: str,
                         provider_types: list[str] | None = None,
                         attachment_ids: list[str] | None = None) -> dict:
        if caller.get("kind") != "staff" or not {"admin", "operator"} & set(
                caller.get("roles") or []):
            raise Forbidden("Only operators publish bulletins.")
        title, body, provider_types = usecases.check_bulletin(title, body, provider_types)
        attachments = []
        if attachment_ids:
            from ponte import attachments as uploads
            attachments = uploads.claim(list(attachment_ids), caller["account_id"], self.name)
        now = self.clock()
        with self.db.transaction() as tx:
            bulletin = usecases.publish_bulletin(tx, caller, title, body, provider_types,
                                                 attachments, _context(), now)
        self.delivery.wake()
        return bulletin

    @rpc
    def list_bulletins(self, caller: dict, provider_ids: list[str] | None = None,
                       limit: int = 50, cursor: str | None = None) -> dict:
        with self.db.read() as session:
            types = usecases.bulletin_audience(caller, Directory(session), provider_ids)
            rows, next_cursor = Inbox(session).bulletins_page(types, limit, cursor)
            return {"items": [views.bulletin(row) for row in rows],
                    "next_cursor": next_cursor}

    @rpc
    def may_read_attachment(self, caller: dict, attachment_id: str) -> bool:
        with self.db.transaction() as tx:
            return usecases.may_read_attachment(tx, caller, attachment_id)

    # --- e-mail delivery, for operators ---------------------------------------------------

    @rpc
    def list_emails(self, caller: dict, status: str | None = None, limit: int = 50,
                    cursor: str | None = None) -> dict:
        if caller.get("kind") != "staff" or "admin" not in (caller.get("roles") or []):
            raise Forbidden("Only administrators see e-mail deliveries.")
        with self.db.read() as session:
            rows, next_cursor = Inbox(session).emails_page(status, limit, cursor)
            return {"items": [views.email(row) for row in rows],
                    "next_cursor": next_cursor}


    @rpc
    def retry_email(self, caller: dict, email_id: str) -> dict:
        if caller.get("kind") != "staff" or "admin" not in (caller.get("roles") or []):
            raise Forbidden("Only administrators send e-mails again.")
        with self.db.transaction() as tx:
            answer = usecases.retry_email(tx, email_id, self.clock())
        self.delivery.wake()
        return answer


def _context() -> Context:
    config = settings()
    return Context(public_url=config.public_url, time_zone=config.timezone)
