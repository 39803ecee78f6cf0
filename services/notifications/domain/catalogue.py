"""Every notification type, who can receive it and whether its e-mail can be switched off.

A notification type is the event that caused it, ``<service>.<event>`` (API.md, Precise points),
so two services' events never collide. E-mail is on by default for every type; the security types
(password reset, password changed, e-mail changed) cannot be switched off (API.md). Whether a
person receives a type is decided per event by its audience (``routing``); ``kinds`` here says
which account kinds can ever receive it, which is what the preferences list shows.
"""
from __future__ import annotations

from dataclasses import dataclass

from ponte.roles import CITIZEN, PROVIDER, SECRETARY, STAFF

ALL = frozenset({PROVIDER, SECRETARY, CITIZEN, STAFF})
PROVIDER_SIDE = frozenset({PROVIDER, SECRETARY})


@dataclass(frozen=True)
class NotificationType:
    name: str
    kinds: frozenset[str]
    security: bool = False
    inbox: bool = True  # False: e-mail only (the account is gone, nobody reads its inbox)


def _types(*entries: tuple) -> dict[str, NotificationType]:
    return {entry[0]: NotificationType(*entry) for entry in entries}


TYPES: dict[str, NotificationType] = _types(
    # identity
    ("identity.provider_invited", frozenset({PROVIDER})),
    ("identity.provider_registered", frozenset({PROVIDER})),
    ("identity.secretary_registered", frozenset({SECRETARY})),
    ("identity.citizen_registered", frozenset({CITIZEN})),
    ("identity.staff_created", frozenset({STAFF})),
    ("identity.password_reset_requested", ALL, True),
    ("identity.password_changed", ALL, True),
    ("identity.email_changed", ALL, True),
    ("identity.account_deleted", ALL, False, False),
    # relationships
    ("relationships.invitation_sent", frozenset({SECRETARY})),
    ("relationships.invitation_accepted", PROVIDER_SIDE),
    ("relationships.invitation_declined", PROVIDER_SIDE),
    ("relationships.invitation_cancelled", PROVIDER_SIDE),
    ("relationships.relationship_roles_changed", frozenset({SECRETARY})),
    ("relationships.relationship_ended", PROVIDER_SIDE),
    ("relationships.relationship_expired", PROVIDER_SIDE),
    # authorizations
    ("authorizations.request_submitted", PROVIDER_SIDE | {STAFF}),
    ("authorizations.request_authorized", PROVIDER_SIDE),
    ("authorizations.request_partially_authorized", PROVIDER_SIDE),
    ("authorizations.request_denied", PROVIDER_SIDE),
    ("authorizations.request_appealed", PROVIDER_SIDE | {STAFF}),
    ("authorizations.request_cancelled", PROVIDER_SIDE | {STAFF}),
    ("authorizations.interaction_added", PROVIDER_SIDE | {STAFF}),
    ("authorizations.payment_registered", PROVIDER_SIDE),
    ("authorizations.inquiry_message_added", PROVIDER_SIDE | {STAFF}),
    ("authorizations.audit_overdue", PROVIDER_SIDE | {STAFF}),
    # attendance
    ("attendance.service_published", frozenset({STAFF})),
    ("attendance.attendant_access_requested", frozenset({STAFF})),
    ("attendance.attendant_access_approved", frozenset({STAFF})),
    ("attendance.attendant_access_rejected", frozenset({STAFF})),
    ("attendance.service_request_submitted", frozenset({CITIZEN, STAFF})),
    ("attendance.service_request_approved", frozenset({CITIZEN, STAFF})),
    ("attendance.service_request_rejected", frozenset({CITIZEN, STAFF})),
    ("attendance.follow_up_added", frozenset({CITIZEN, STAFF})),
    ("attendance.meeting_scheduled", frozenset({CITIZEN, STAFF})),
    ("attendance.service_request_concluded", frozenset({CITIZEN, STAFF})),
    ("attendance.service_request_overdue", frozenset({STAFF})),
    ("attendance.rating_submitted", frozenset({STAFF})),
    ("attendance.rating_moderated", frozenset({CITIZEN, STAFF})),
    ("attendance.appointment_booked", PROVIDER_SIDE | {CITIZEN}),
    ("attendance.appointment_cancelled", PROVIDER_SIDE | {CITIZEN}),
    # notifications itself
    ("notifications.bulletin_published", frozenset({PROVIDER})),
)

SECURITY_TYPES = frozenset(name for name, kind in TYPES.items() if kind.security)

# Types that carry a patient's own words to a provider (an appointment's notes): the text is shown
# only to recipients who opted in to patients' direct messages (003); the notice itself always.
PATIENT_MESSAGE_TYPES = frozenset({"attendance.appointment_booked"})


def receivable(kind: str | None) -> list[str]:
    """The types an account of this kind can receive, sorted (every type for an unknown kind)."""
    return sorted(name for name, entry in TYPES.items() if kind not in ALL or kind in entry.kinds)


class PreferenceError(ValueError):
    """Field errors of a preferences change, keyed like the request body (``email.<type>``)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid preferences")
        self.errors = errors


def check_changes(kind: str | None, email: dict[str, object]) -> dict[str, bool]:
    """A PUT may send any subset of the receivable types; a security type cannot be switched off
    (API.md). Returns the changes to store."""
    allowed, errors, changes = set(receivable(kind)), {}, {}
    for name, value in email.items():
        key = f"email.{name}"
        if name not in allowed:
            errors[key] = ["Unknown notification type for this account."]
        elif not isinstance(value, bool):
            errors[key] = ["Must be true or false."]
        elif name in SECURITY_TYPES and value is False:
            errors[key] = ["Security e-mails cannot be switched off."]
        else:
            changes[name] = value
    if errors:
        raise PreferenceError(errors)
    return changes


def email_enabled(notification_type: str, stored: dict[str, bool]) -> bool:
    """On by default for every type; a security type is always on."""
    if notification_type in SECURITY_TYPES:
        return True
    return stored.get(notification_type, True)


def preferences_view(kind: str | None, stored: dict[str, bool],
                     patient_messages: bool) -> dict:
    return {"email": {name: email_enabled(name, stored) for name in receivable(kind)},
            "patient_messages": patient_messages}
