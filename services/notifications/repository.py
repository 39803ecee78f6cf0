"""Loading and saving e-mails and their attempts inside a unit of work."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from services.notifications.domain import OPEN, Attempt, Email
from services.notifications.models import email_attempts, emails


def _email(row: Any) -> Email:
    return Email(id=row.id, event_id=row.event_id, notification_type=row.notification_type,
                 recipient=row.recipient, locale=row.locale, subject=row.subject,
                 text=row.text_body, html=row.html_body, created_at=row.created_at,
                 status=row.status, attempts=row.attempts,
                 next_attempt_at=row.next_attempt_at, sent_at=row.sent_at,
                 last_error=row.last_error, correlation_id=row.correlation_id)


def _state(email: Email) -> dict[str, Any]:
    return {"status": email.status, "attempts": email.attempts,
            "next_attempt_at": email.next_attempt_at, "sent_at": email.sent_at,
            "last_error": email.last_error}


class EmailRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, email: Email) -> None:
        self.session.execute(emails.insert().values(
            id=email.id, event_id=email.event_id, notification_type=email.notification_type,
            recipient=email.recipient, locale=email.locale, subject=email.subject,
            text_body=email.text, html_body=email.html, created_at=email.created_at,
            correlation_id=email.correlation_id, **_state(email)))

    def get(self, email_id: str) -> Email | None:
        row = self.session.execute(sa.select(emails).where(emails.c.id == email_id)).first()
        return _email(row) if row else None

    def claim_due(self, now: datetime, lease: timedelta, limit: int) -> list[Email]:
        """Pending or retrying e-mails whose time has come, leased for ``lease`` so that no other replica
        takes them meanwhile (rows another replica is claiming are skipped, not waited for)."""
        rows = self.session.execute(
            sa.select(emails).where(emails.c.status.in_(OPEN), emails.c.next_attempt_at <= now)
            .order_by(emails.c.next_attempt_at).limit(limit)
            .with_for_update(skip_locked=True)).all()
        if rows:
            self.session.execute(emails.update().where(emails.c.id.in_([r.id for r in rows]))
                                 .values(next_attempt_at=now + lease))
        return [_email(row) for row in rows]

    def record(self, email: Email, attempt: Attempt) -> bool:
        """Save an attempt and the e-mail's new state, unless another replica recorded this
        attempt first (its lease ran out while we were sending): then False, nothing saved."""
        saved = self.session.execute(
            emails.update().where(emails.c.id == email.id,
                                  emails.c.attempts == attempt.number - 1)
            .values(**_state(email))).rowcount
        if saved:
            self.session.execute(email_attempts.insert().values(
                email_id=attempt.email_id, attempt=attempt.number, at=attempt.at,
                outcome=attempt.outcome, error=attempt.error, retry_at=attempt.retry_at))
        return bool(saved)

    def attempts(self, email_id: str) -> list[Attempt]:
        rows = self.session.execute(
            sa.select(email_attempts).where(email_attempts.c.email_id == email_id)
            .order_by(email_attempts.c.attempt)).all()
        return [Attempt(r.email_id, r.attempt, r.at, r.outcome, r.error, r.retry_at)
                for r in rows]
