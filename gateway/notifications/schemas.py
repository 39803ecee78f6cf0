"""Bodies, queries and answers of the notifications endpoints (API.md "Notifications")."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.api import Input, PageQuery
from ponte.contracts.identity import PROVIDER_TYPES
from ponte.contracts.notifications import EMAIL_STATUSES


def _timestamp(**metadata: object) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time", **metadata})


class InboxQuery(PageQuery):
    unread = fields.Boolean(load_default=False, metadata={
        "description": "true: only notifications not read yet"})


class NotificationSchema(Schema):
    id = fields.String()
    type = fields.String(metadata={"description": "The event that caused it, "
                                                  "`<service>.<event>`"})
    title = fields.String()
    body = fields.String()
    link = fields.String(allow_none=True, metadata={"description": "API path of the resource"})
    created_at = _timestamp()
    read_at = _timestamp()


class InboxSchema(Schema):
    items = fields.List(fields.Nested(NotificationSchema))
    next_cursor = fields.String(allow_none=True)
    unread_count = fields.Integer()


class TicketSchema(Schema):
    ticket = fields.String()
    expires_in = fields.Integer(metadata={"description": "Seconds; single use"})


class StreamQuery(Input):
    ticket = fields.String(load_default=None, validate=validate.Length(max=200), metadata={
        "description": "A stream ticket, for clients that cannot send the Authorization header "
                       "(a browser's EventSource)"})
    last_event_id = fields.String(load_default=None, validate=validate.Length(max=100),
                                  metadata={"description": "Same as the Last-Event-ID header"})


class PreferencesBody(Input):
    email = fields.Dict(keys=fields.String(), load_default=None, metadata={
        "description": "Notification type → e-mail on/off; any subset"})
    patient_messages = fields.Raw(load_default=None, metadata={
        "type": "boolean", "description": "Opt-in to patients' direct messages"})


class PreferencesSchema(Schema):
    email = fields.Dict(keys=fields.String(), values=fields.Boolean())
    patient_messages = fields.Boolean()


class Attachment(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class BulletinBody(Input):
    title = fields.String(required=True, validate=validate.Length(max=200))
    body = fields.String(required=True, validate=validate.Length(max=20000))
    provider_types = fields.List(fields.String(validate=validate.OneOf(PROVIDER_TYPES)),
                                 load_default=None, allow_none=True,
                                 validate=validate.Length(min=1), metadata={
                                     "description": "Leave out to address every provider"})
    attachment_ids = fields.List(fields.String(), load_default=None, allow_none=True,
                                 validate=validate.Length(max=20))


class BulletinSchema(Schema):
    id = fields.String()
    title = fields.String()
    body = fields.String()
    provider_types = fields.List(fields.String(), allow_none=True)
    attachments = fields.List(fields.Nested(Attachment))
    created_by = fields.String()
    created_at = _timestamp()


class BulletinList(Schema):
    items = fields.List(fields.Nested(BulletinSchema))
    next_cursor = fields.String(allow_none=True)


class EmailQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(EMAIL_STATUSES))


class EmailSchema(Schema):
    id = fields.String()
    type = fields.String()
    event_id = fields.String()
    recipient = fields.String()
    subject = fields.String()
    status = fields.String(validate=validate.OneOf(EMAIL_STATUSES))
    attempts = fields.Integer()
    next_attempt_at = _timestamp(description="When the next attempt is due (pending, retrying)")
    last_error = fields.String(allow_none=True)
    created_at = _timestamp()
    sent_at = _timestamp()


class EmailList(Schema):
    items = fields.List(fields.Nested(EmailSchema))
    next_cursor = fields.String(allow_none=True)
