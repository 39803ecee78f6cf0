"""Notifications: the inbox, its real-time stream, bulletins and e-mail preferences; for
administrators, the delivery state of e-mails. Each route makes one call to the notifications
service, except the stream, which subscribes in this gateway (``streams.py``)."""
from __future__ import annotations

from werkzeug.wrappers import Response

from gateway.api import Api, Call, PageQuery
from gateway.notifications.schemas import (
    BulletinBody,
    BulletinList,
    BulletinSchema,
    EmailList,
    EmailQuery,
    EmailSchema,
    InboxQuery,
    InboxSchema,
    PreferencesBody,
    PreferencesSchema,
    StreamQuery,
    TicketSchema,
)
from gateway.notifications.streams import connection_of
from ponte.errors import Forbidden, Unauthenticated
from ponte.roles import ADMIN, OPERATOR, PROVIDER, SECRETARY

api = Api()
TAG = "notifications"
SERVICE = "notifications"


def _page(call: Call) -> dict:
    return {"limit": call.query["limit"], "cursor": call.query["cursor"]}


@api.route("GET", "/api/v1/notifications", query=InboxQuery, response=InboxSchema(), tag=TAG,
           summary="My notifications, newest first, with the number still unread")
def inbox(call: Call) -> dict:
    return call.rpc(SERVICE, "list_notifications", call.caller, unread=call.query["unread"],
                    **_page(call))


@api.route("POST", "/api/v1/notifications/{id}/read", status=204, tag=TAG,
           summary="Mark one of my notifications read (404 if it is not mine)")
def read(call: Call) -> None:
    call.rpc(SERVICE, "mark_read", call.caller, call.params["id"])


@api.route("POST", "/api/v1/notifications/read-all", status=204, tag=TAG,
           summary="Mark all my notifications read")
def read_all(call: Call) -> None:
    call.rpc(SERVICE, "mark_all_read", call.caller)


@api.route("POST", "/api/v1/notifications/stream-tickets", response=TicketSchema(), status=201,
           tag=TAG, summary="A single-use ticket (valid 30 s) to open the stream with ?ticket= "
                            "where the Authorization header cannot be sent")
def ticket(call: Call) -> dict:
    # the stream it opens lasts no longer than the token that asked for it
    caller = {**call.caller, "expires_at": call.principal.claims.expires_at}
    return call.rpc(SERVICE, "issue_stream_ticket", caller)


@api.route("GET", "/api/v1/notifications/stream", public=True, query=StreamQuery, tag=TAG,
           summary="text/event-stream of my new notifications (Bearer header or ?ticket=); a "
                   "comment at once and at least every 15 s; Last-Event-ID resumes from the "
                   "inbox; 429 with Retry-After over the open-stream caps")
def stream(call: Call) -> Response:
    caller, ticket = _stream_caller(call)
    hub = call.gateway.streams
    # subscribed before the replay is read: nothing falls between the two
    subscription = hub.subscribe(caller["account_id"], caller.get("session_id"),
                                 caller.get("expires_at"))
    try:
        if ticket:  # spent only now that the stream has its place: a 429 leaves it usable
            call.rpc(SERVICE, "redeem_stream_ticket", ticket)
        last = call.request.headers.get("Last-Event-ID") or call.query["last_event_id"]
        replayed = call.rpc(SERVICE, "notifications_after", caller, last.strip()) \
            if last and last.strip() else []
    except BaseException:
        hub.unsubscribe(subscription)
        raise
    # eventlet's WSGI server gathers 4 KiB before writing unless told otherwise per request
    call.request.environ["eventlet.minimum_write_chunk_size"] = 0
    return Response(hub.frames(subscription, replayed, connection_of(call.request.environ)),
                    mimetype="text/event-stream",
                    direct_passthrough=True,
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


def _stream_caller(call: Call) -> tuple[dict, str | None]:
    """Who opens the stream, and the ticket to redeem once it has its place (if by ticket)."""
    header = call.request.headers.get("Authorization")
    if header:
        principal = call.gateway.auth.authenticate(header)
        return {**principal.as_context(), "expires_at": principal.claims.expires_at}, None
    if call.query["ticket"]:
        caller = call.rpc(SERVICE, "check_stream_ticket", call.query["ticket"])
        if caller.get("session_id") in call.gateway.auth.revocations:
            raise Unauthenticated("This session has ended; sign in again.")
        return caller, call.query["ticket"]
    raise Unauthenticated("Send an access token (Authorization: Bearer <token>) or a stream "
                          "ticket (?ticket=).")


@api.route("POST", "/api/v1/bulletins", roles=(OPERATOR,), body=BulletinBody,
           response=BulletinSchema(), status=201, tag=TAG,
           summary="Publish a bulletin to every provider or to some provider types; each "
                   "targeted provider login gets it in its inbox")
def publish_bulletin(call: Call) -> dict:
    body = call.body
    return call.rpc(SERVICE, "publish_bulletin", call.caller, body["title"], body["body"],
                    provider_types=body["provider_types"], attachment_ids=body["attachment_ids"])


@api.route("GET", "/api/v1/bulletins", kinds=(PROVIDER, SECRETARY), roles=(OPERATOR,),
           query=PageQuery, response=BulletinList(), tag=TAG,
           summary="Bulletins, newest first: all for operators; for a provider those addressed "
                   "to it; for a secretary those of the providers she has an active "
                   "relationship with")
def bulletins(call: Call) -> dict:
    provider_ids = None
    if call.principal.kind == SECRETARY:
        provider_ids = sorted(call.gateway.permissions.acting_for(call))
        if not provider_ids:
            raise Forbidden("Bulletins need an active relationship with a provider.")
    return call.rpc(SERVICE, "list_bulletins", call.caller, provider_ids=provider_ids,
                    **_page(call))


@api.route("GET", "/api/v1/me/notification-preferences", response=PreferencesSchema(), tag=TAG,
           summary="E-mail on/off for every notification type I can receive, and the opt-in "
                   "to patients' direct messages")
def preferences(call: Call) -> dict:
    return call.rpc(SERVICE, "get_preferences", call.caller)


@api.route("PUT", "/api/v1/me/notification-preferences", body=PreferencesBody,
           response=PreferencesSchema(), tag=TAG,
           summary="Change any subset; security e-mails (password reset, password changed, "
                   "e-mail changed) cannot be switched off (422)")
def set_preferences(call: Call) -> dict:
    return call.rpc(SERVICE, "put_preferences", call.caller, email=call.body["email"],
                    patient_messages=call.body["patient_messages"])


@api.route("GET", "/api/v1/notifications/emails", roles=(ADMIN,), query=EmailQuery,
           response=EmailList(), tag=TAG,
           summary="E-mail deliveries, newest first (admin): pending, retrying with the next "
                   "attempt, sent, failed with the reason")
def emails(call: Call) -> dict:
    return call.rpc(SERVICE, "list_emails", call.caller, status=call.query["status"],
                    **_page(call))


@api.route("POST", "/api/v1/notifications/emails/{id}/retry", roles=(ADMIN,),
           response=EmailSchema(), tag=TAG,
           summary="Send a failed e-mail again (admin): one more attempt at once; 409 unless "
                   "it failed")
def retry_email(call: Call) -> dict:
    return call.rpc(SERVICE, "retry_email", call.caller, call.params["id"])
