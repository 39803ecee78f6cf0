"""nameko face of the notifications service: identity events become queued e-mails.

Each handler composes the e-mail and stores it in the handler's own transaction, which also marks
the event as processed: a redelivered event queues nothing more. :class:`Delivery` sends it.
"""
from ponte.config import settings
from ponte.db import Database, utcnow
from ponte.messaging import Event, handles
from ponte.service import BaseService
from services.notifications.delivery import Delivery
from services.notifications.domain import Email
from services.notifications.emails import compose
from services.notifications.repository import EmailRepository


class NotificationsService(BaseService):
    name = "notifications"
    db = Database()
    delivery = Delivery()

    # Subscription names are for good: they name the durable queues (docs/events.md).
    @handles("identity", "provider_invited", subscription="handle_provider_invited")
    def handle_provider_invited(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "staff_created", subscription="handle_staff_created")
    def handle_staff_created(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "password_reset_requested",
             subscription="handle_password_reset_requested")
    def handle_password_reset_requested(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "account_deleted", subscription="handle_account_deleted")
    def handle_account_deleted(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "provider_registered", subscription="handle_provider_registered")
    def handle_provider_registered(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "secretary_registered", subscription="handle_secretary_registered")
    def handle_secretary_registered(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "citizen_registered", subscription="handle_citizen_registered")
    def handle_citizen_registered(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "password_changed", subscription="handle_password_changed")
    def handle_password_changed(self, event: Event) -> None:
        self._queue_email(event)

    @handles("identity", "email_changed", subscription="handle_email_changed")
    def handle_email_changed(self, event: Event) -> None:
        self._queue_email(event)

    def _queue_email(self, event: Event) -> None:
        config = settings()
        message = compose(event.type, event.data, public_url=config.public_url,
                          occurred_at=event.occurred_at, time_zone=config.timezone)
        email = Email.queue(message, event_id=event.id,
                            notification_type=f"{event.source}.{event.type}", now=utcnow(),
                            correlation_id=event.correlation_id)
        with self.db.transaction() as tx:
            EmailRepository(tx.session).add(email)
        self.delivery.wake()
