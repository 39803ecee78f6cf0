"""The inbox ("Notificações"), the notification preferences and the stream ticket behind the
live pop-ups (``static/portal.js``)."""
from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from werkzeug.wrappers import Response

from gateway.i18n import N_
from gateway.web.forms import FORM_ERROR_STATUSES, form_errors
from gateway.web.screen import Screen, screen

STREAM = "/api/v1/notifications/stream"

# The screen each kind of API link opens: (pattern of the API path, screen address). A later
# screen showing one kind of object adds its row; an item whose link has no row shows no link.
LINKS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/api/v1/notifications/?\Z"), "/notifications"),
    (re.compile(r"/api/v1/service-requests/(?P<id>[^/]+)\Z"), "/my-requests/{id}"),
    (re.compile(r"/api/v1/appointments/(?P<id>[^/]+)\Z"), "/appointments/{id}"),
    (re.compile(r"/api/v1/services/(?P<id>[^/]+)\Z"), "/services/{id}"),
    (re.compile(r"/api/v1/me/(invitations|relationships)\Z"), "/invitations"),
    (re.compile(r"/api/v1/providers/[^/]+/relationships\Z"), "/relationships"),
    (re.compile(r"/api/v1/bulletins\Z"), "/bulletins"),
    (re.compile(r"/api/v1/me\Z"), "/my-account"),
    (re.compile(r"/api/v1/authorization-requests/(?P<id>[^/?]+)\Z"), "/authorizations/{id}"),
    (re.compile(r"/api/v1/inquiries/(?P<id>[^/?]+)\Z"), "/inquiries/{id}"),
    (re.compile(r"/api/v1/payments(\?.*)?\Z"), "/payments"),
    # the institution's screens (seed 002); a service request's link goes to /my-requests/{id},
    # which sends staff to /institution/requests/{id}
    (re.compile(r"/api/v1/institutions/(?P<id>[^/]+)/attendant-requests\Z"),
     "/institution/{id}/attendants"),
    (re.compile(r"/api/v1/institutions/(?P<id>[^/]+)/ratings\Z"), "/institution/{id}/ratings"),
]

# Notification types (API.md) as the person reads them; a type missing here shows its own words
TYPE_LABELS = {
    "identity.provider_invited": N_("Provider invited"),
    "identity.provider_registered": N_("Provider registered"),
    "identity.secretary_registered": N_("Secretary account created"),
    "identity.citizen_registered": N_("Citizen account created"),
    "identity.staff_created": N_("Staff account created"),
    "identity.password_reset_requested": N_("Password reset requested"),
    "identity.password_changed": N_("Password changed"),
    "identity.email_changed": N_("E-mail changed"),
    "identity.account_deleted": N_("Account deleted"),
    "relationships.invitation_sent": N_("Invitation received"),
    "relationships.invitation_accepted": N_("Invitation accepted"),
    "relationships.invitation_declined": N_("Invitation declined"),
    "relationships.invitation_cancelled": N_("Invitation cancelled"),
    "relationships.relationship_roles_changed": N_("Relationship roles changed"),
    "relationships.relationship_ended": N_("Relationship ended"),
    "relationships.relationship_expired": N_("Relationship expired"),
    "authorizations.request_submitted": N_("Authorization request submitted"),
    "authorizations.request_authorized": N_("Request authorized"),
    "authorizations.request_partially_authorized": N_("Request partially authorized"),
    "authorizations.request_denied": N_("Request denied"),
    "authorizations.request_appealed": N_("Appeal filed"),
    "authorizations.request_cancelled": N_("Request cancelled"),
    "authorizations.interaction_added": N_("New interaction on a request"),
    "authorizations.payment_registered": N_("Payment registered"),
    "authorizations.inquiry_message_added": N_("New message from the operator"),
    "authorizations.audit_overdue": N_("Audit overdue"),
    "attendance.service_published": N_("Service published"),
    "attendance.attendant_access_requested": N_("Attendant access requested"),
    "attendance.attendant_access_approved": N_("Attendant access approved"),
    "attendance.attendant_access_rejected": N_("Attendant access rejected"),
    "attendance.service_request_submitted": N_("Service request submitted"),
    "attendance.service_request_approved": N_("Service request approved"),
    "attendance.service_request_rejected": N_("Service request rejected"),
    "attendance.follow_up_added": N_("New follow-up"),
    "attendance.meeting_scheduled": N_("Video meeting scheduled"),
    "attendance.service_request_concluded": N_("Service request concluded"),
    "attendance.service_request_overdue": N_("Service request overdue"),
    "attendance.rating_submitted": N_("Rating submitted"),
    "attendance.rating_moderated": N_("Rating moderated"),
    "attendance.appointment_booked": N_("Appointment booked"),
    "attendance.appointment_cancelled": N_("Appointment cancelled"),
    "notifications.bulletin_published": N_("New bulletin"),
}


def screen_for(link: str | None) -> str | None:
    """The portal address of what a notification is about (``None`` when no screen shows it)."""
    for pattern, address in LINKS:
        found = pattern.match(link or "")
        if found:
            return address.format(**found.groupdict())
    return None


def type_label(s: Screen, kind: str) -> str:
    """A notification type as the person reads it."""
    if kind in TYPE_LABELS:
        return s._(TYPE_LABELS[kind])
    return kind.rsplit(".", 1)[-1].replace("_", " ").capitalize()


@screen("GET", "/notifications", summary="Screen: the inbox (HTML)")
def notifications(s: Screen) -> Response:
    unread_only = s.request.args.get("unread") == "true"
    answer = s.api("GET", "/api/v1/notifications",
                   query={"unread": "true" if unread_only else None,
                          "cursor": s.request.args.get("cursor"), "limit": 50})
    if not answer.ok:
        return s.problem_page(answer)
    items = [{**item, "address": screen_for(item.get("link"))} for item in answer.data["items"]]
    return s.render("notifications.html", items=items, unread_only=unread_only,
                    next_cursor=answer.data.get("next_cursor"))


@screen("POST", "/notifications/read", summary="Screen: mark a notification read")
def mark_read(s: Screen) -> Response:
    answer = s.api("POST", f"/api/v1/notifications/{quote(s.form.get('id', ''), safe='')}/read")
    if not answer.ok:
        return s.problem_page(answer)
    return s.redirect("/notifications")


@screen("POST", "/notifications/read-all", summary="Screen: mark every notification read")
def mark_all_read(s: Screen) -> Response:
    answer = s.api("POST", "/api/v1/notifications/read-all")
    if not answer.ok:
        return s.problem_page(answer)
    return s.redirect("/notifications")


@screen("POST", "/notifications/stream-ticket",
        summary="Screen: a ticket for the live pop-ups' stream (JSON, for the page script)")
def stream_ticket(s: Screen) -> Response:
    """The page script cannot hold a token: it asks here, with the session's anti-forgery
    token in ``X-CSRF-Token``, and opens ``stream`` with the single-use ticket."""
    answer = s.api("POST", "/api/v1/notifications/stream-tickets")
    if answer.status != 201:
        return Response(json.dumps({"status": answer.status}), status=answer.status,
                        mimetype="application/json")
    return Response(json.dumps({"ticket": answer.data["ticket"], "stream": STREAM}),
                    mimetype="application/json")


# preferences
def _preferences_page(s: Screen, preferences: dict[str, Any], *, errors: dict | None = None,
                      saved: bool = False, status: int = 200) -> Response:
    types = [{"name": name, "label": type_label(s, name), "on": on}
             for name, on in sorted(preferences.get("email", {}).items())]
    return s.render("preferences.html", status=status, types=types, saved=saved,
                    patient_messages=preferences.get("patient_messages", False),
                    errors=errors or {})


@screen("GET", "/notifications/preferences", summary="Screen: notification preferences (HTML)")
def preferences(s: Screen) -> Response:
    answer = s.api("GET", "/api/v1/me/notification-preferences")
    if not answer.ok:
        return s.problem_page(answer)
    return _preferences_page(s, answer.data)


@screen("POST", "/notifications/preferences", summary="Screen: save notification preferences")
def preferences_posted(s: Screen) -> Response:
    current = s.api("GET", "/api/v1/me/notification-preferences")
    if not current.ok:
        return s.problem_page(current)
    chosen = {name: s.form.get(f"email.{name}") == "on" for name in current.data.get("email", {})}
    body = {"email": {name: on for name, on in chosen.items()  # only what the person changed
                      if on != current.data["email"][name]},
            "patient_messages": s.form.get("patient_messages") == "on"}
    answer = s.api("PUT", "/api/v1/me/notification-preferences", body)
    if answer.ok:
        return _preferences_page(s, answer.data, saved=True)
    if answer.status in FORM_ERROR_STATUSES:
        return _preferences_page(s, {**body, "email": chosen}, errors=form_errors(answer),
                                 status=answer.status)
    return s.problem_page(answer)
