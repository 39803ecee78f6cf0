"""Bodies, queries and answers of the attendance endpoints (API.md "Attendance"). Shapes are
checked here; what depends on a service's own form (its fields, types and required flags) is
checked by the attendance service and answered as ``answers.<field>`` errors."""
from __future__ import annotations

from datetime import UTC, date, datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.api import Input, PageQuery
from ponte.contracts.attendance import (
    ACCESS_STATUSES,
    AGENDA_KINDS,
    APPOINTMENT_SIDES,
    APPOINTMENT_STATUSES,
    FIELD_TYPES,
    FOLLOW_UP_SIDES,
    MAX_YEAR,
    MIN_YEAR,
    RATING_STATUSES,
    REQUEST_STATUSES,
    SERVICE_STATUSES,
)

NAME = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"


class JsonBoolean(fields.Boolean):
    """``true`` or ``false`` only: ``1`` and ``"yes"`` are not booleans."""

    def _deserialize(self, value: object, attr: str | None, data: object,
                     **kwargs: object) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


def _text(max_length: int, **kwargs: object) -> fields.String:
    return fields.String(validate=validate.Length(max=max_length), **kwargs)


def _required_text(max_length: int, **kwargs: object) -> fields.String:
    """Required and not blank (API.md: required free text must not be blank)."""
    return fields.String(required=True, validate=[
        validate.Length(max=max_length),
        validate.Regexp(r"\S", error="Must not be blank.")], **kwargs)


def _attachment_ids() -> fields.List:
    return fields.List(fields.String(validate=validate.Length(max=64)), load_default=list,
                       validate=validate.Length(max=20), metadata={
                           "description": "ids of your own uploads (POST /api/v1/uploads)"})


def _within_years(value: date) -> None:
    """A day whose bounds are computable (and an instant that has a UTC equivalent)."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValidationError(f"Years {MIN_YEAR} to {MAX_YEAR} only.")


def _instant(value: datetime) -> None:
    try:
        _within_years(value.astimezone(UTC))
    except OverflowError:
        raise ValidationError("Not a valid date-time.") from None


def _day(**kwargs: object) -> fields.Date:
    return fields.Date(load_default=None, validate=_within_years, **kwargs)


def _timestamp(**kwargs: object) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time", **kwargs})


# -- bodies and queries -------------------------------------------------------------------

class InstitutionBody(Input):
    name = _required_text(300)
    acronym = _required_text(50)


class ManagerBody(Input):
    account_id = fields.UUID(required=True, metadata={
        "description": "A staff account holding the role manager"})


class StepBody(Input):
    id = fields.String(load_default=None, validate=validate.Length(max=36), metadata={
        "description": "On PATCH: the id of a step to keep (its title may change); new steps "
                       "have none"})
    title = _required_text(300)


class FormFieldBody(Input):
    name = fields.String(required=True, validate=validate.Regexp(
        NAME, error="Letters, digits and _ (starting with a letter or _), at most 64."))
    label = _required_text(300)
    type = fields.String(required=True, validate=validate.OneOf(FIELD_TYPES))
    required = JsonBoolean(load_default=False)
    choices = fields.List(fields.String(validate=validate.Length(min=1, max=300)),
                          load_default=None, allow_none=True,
                          validate=validate.Length(max=100),
                          metadata={"description": "The options of a choice field"})

    @validates_schema
    def _choices(self, data: dict, **kwargs: object) -> None:
        if data.get("type") == "choice" and not data.get("choices"):
            raise ValidationError("A choice field needs its choices.", "choices")


class ServiceBody(Input):
    name = _required_text(300)
    description = _text(10000, load_default="")
    audience = _text(2000, load_default="")
    requirements = fields.List(fields.String(validate=validate.Length(min=1, max=1000)),
                               load_default=list, validate=validate.Length(max=100))
    steps = fields.List(fields.Nested(StepBody), load_default=list,
                        validate=validate.Length(max=100))
    form_fields = fields.List(fields.Nested(FormFieldBody), load_default=list,
                              validate=validate.Length(max=100))
    due_business_days = fields.Integer(load_default=5, validate=validate.Range(min=1, max=365),
                                       metadata={"description": "Business days an attendant "
                                                                "has for a request (default 5)"})


class ServicePatch(Input):
    name = fields.String(validate=[validate.Length(max=300),
                                   validate.Regexp(r"\S", error="Must not be blank.")])
    description = _text(10000)
    audience = _text(2000)
    requirements = fields.List(fields.String(validate=validate.Length(min=1, max=1000)),
                               validate=validate.Length(max=100))
    steps = fields.List(fields.Nested(StepBody), validate=validate.Length(max=100))
    form_fields = fields.List(fields.Nested(FormFieldBody), validate=validate.Length(max=100))
    due_business_days = fields.Integer(validate=validate.Range(min=1, max=365))


class ServiceQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=200))
    institution_id = fields.UUID(load_default=None)


class ServiceStatusQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(SERVICE_STATUSES))


class AccessQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(ACCESS_STATUSES))


class RequestQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(REQUEST_STATUSES))


class RatingQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(RATING_STATUSES))


class AttendantRequestBody(Input):
    message = _text(2000, load_default=None, allow_none=True)


class ReasonBody(Input):
    reason = _required_text(2000)


class ServiceRequestBody(Input):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                          required=True, metadata={
                              "description": "field name → value, per the service's form"})
    attachment_ids = _attachment_ids()


class ApproveBody(Input):
    attendant_id = fields.UUID(required=True, metadata={
        "description": "Account id of an approved attendant of the same institution"})


class JustificationBody(Input):
    justification = _required_text(5000)


class NoteBody(Input):
    note = _required_text(5000)


class ChecklistBody(Input):
    answers = fields.Dict(keys=fields.String(validate=validate.Length(max=64)),
                          values=JsonBoolean(), required=True,
                          metadata={"description": "step id → true (yes) | false (no)"})


class FollowUpBody(Input):
    message = _required_text(10000)
    attachment_ids = _attachment_ids()


class MeetingBody(Input):
    starts_at = fields.AwareDateTime(required=True, default_timezone=None, validate=_instant,
                                     metadata={
                                         "description": "In the future; ISO-8601 with Z or an "
                                                        "offset"})
    duration_minutes = fields.Integer(load_default=None, allow_none=True,
                                      validate=validate.Range(min=5, max=480))
    subject = _required_text(300)


class RatingBody(Input):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = _text(2000, load_default=None, allow_none=True)


class ModerationBody(Input):
    approved = JsonBoolean(required=True)
    reason = _text(2000, load_default=None, allow_none=True)


class AgendaQuery(Input):
    date = _day(metadata={"description": "A day in the operator's time zone "
                                          "(PONTE_TIMEZONE; default today)"})
    format = fields.String(load_default=None, validate=validate.OneOf(("json", "csv")))


class AppointmentBody(Input):
    starts_at = fields.AwareDateTime(required=True, validate=_instant,
                                     metadata={"description": "In the future"})
    notes = _text(5000, load_default=None, allow_none=True)
    attachment_ids = _attachment_ids()


class AppointmentQuery(PageQuery):
    from_ = _day(data_key="from", metadata={
        "description": "First day, inclusive (America/Sao_Paulo)"})
    to = _day(metadata={"description": "Last day, inclusive (America/Sao_Paulo)"})

    @validates_schema
    def _period(self, data: dict, **kwargs: object) -> None:
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("Must not be before from.", "to")


# -- answers ------------------------------------------------------------------------------

class PersonRef(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


class InstitutionRef(Schema):
    id = fields.String()
    name = fields.String()
    acronym = fields.String()


class InstitutionSchema(InstitutionRef):
    managers = fields.List(fields.Nested(PersonRef))
    created_at = _timestamp()


class StepSchema(Schema):
    id = fields.String()
    title = fields.String()


class FormFieldSchema(Schema):
    name = fields.String()
    label = fields.String()
    type = fields.String(validate=validate.OneOf(FIELD_TYPES))
    required = fields.Boolean()
    choices = fields.List(fields.String(), allow_none=True)


class ServiceSchema(Schema):
    id = fields.String()
    institution_id = fields.String()
    institution = fields.Nested(InstitutionRef, allow_none=True)
    name = fields.String()
    description = fields.String()
    audience = fields.String()
    requirements = fields.List(fields.String())
    steps = fields.List(fields.Nested(StepSchema))
    form_fields = fields.List(fields.Nested(FormFieldSchema))
    due_business_days = fields.Integer()
    status = fields.String(validate=validate.OneOf(SERVICE_STATUSES))
    created_at = _timestamp()
    updated_at = _timestamp()
    published_at = _timestamp()


class AttendantRequestSchema(Schema):
    id = fields.String()
    institution_id = fields.String()
    servant = fields.Nested(PersonRef)
    message = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(ACCESS_STATUSES))
    reason = fields.String(allow_none=True)
    created_at = _timestamp()
    decided_at = _timestamp()
    decided_by = fields.Nested(PersonRef, allow_none=True)


class AttachmentSchema(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class ChecklistItemSchema(Schema):
    step_id = fields.String()
    title = fields.String()
    answer = fields.Boolean(allow_none=True)


class ServiceNameSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)


class RequestRatingSchema(Schema):
    score = fields.Integer()
    comment = fields.String(allow_none=True, metadata={
        "description": "As written, whatever its moderation"})
    status = fields.String(validate=validate.OneOf(RATING_STATUSES))


class ServiceRequestSchema(Schema):
    id = fields.String()
    protocol = fields.String(metadata={"description": "YYYYMMDD + 6-digit daily sequence"})
    service_id = fields.String()
    service = fields.Nested(ServiceNameSchema)
    institution_id = fields.String()
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    citizen = fields.Nested(PersonRef)
    answers = fields.Dict()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    assigned_attendant = fields.Nested(PersonRef, allow_none=True)
    checklist = fields.List(fields.Nested(ChecklistItemSchema))
    rejection_justification = fields.String(allow_none=True)
    conclusion_note = fields.String(allow_none=True)
    created_at = _timestamp()
    decided_at = _timestamp()
    concluded_at = _timestamp()
    due_at = _timestamp(description="Submission + the service's business days")
    overdue = fields.Boolean(metadata={"description": "Open and past its due time"})
    rating = fields.Nested(RequestRatingSchema, allow_none=True, metadata={
        "description": "null until the citizen rates it"})


class AuthorSchema(PersonRef):
    side = fields.String(metadata={"enum": list(FOLLOW_UP_SIDES)})


class FollowUpSchema(Schema):
    id = fields.String()
    request_id = fields.String()
    author = fields.Nested(AuthorSchema)
    message = fields.String()
    attachments = fields.List(fields.Nested(AttachmentSchema))
    created_at = _timestamp()


class MeetingSchema(Schema):
    id = fields.String()
    request_id = fields.String()
    starts_at = _timestamp()
    ends_at = _timestamp()
    duration_minutes = fields.Integer()
    subject = fields.String()
    join_url = fields.String()
    created_at = _timestamp()


class RatingSchema(Schema):
    id = fields.String()
    request_id = fields.String()
    service_id = fields.String()
    institution_id = fields.String()
    score = fields.Integer()
    comment = fields.String(allow_none=True, metadata={
        "description": "null once rejected (kept for audit, never shown)"})
    status = fields.String(validate=validate.OneOf(RATING_STATUSES))
    created_at = _timestamp()
    moderated_at = _timestamp()


class PublicRatingSchema(Schema):
    id = fields.String()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    created_at = _timestamp()


class ServiceRatingsSchema(Schema):
    average = fields.Float(allow_none=True)
    count = fields.Integer()
    items = fields.List(fields.Nested(PublicRatingSchema))
    next_cursor = fields.String(allow_none=True)


class AgendaItemSchema(Schema):
    kind = fields.String(metadata={"enum": list(AGENDA_KINDS)})
    starts_at = _timestamp()
    local_time = fields.String(metadata={
        "description": "HH:MM in the operator's time zone (PONTE_TIMEZONE)"})
    ends_at = _timestamp()
    subject = fields.String()
    protocol = fields.String(allow_none=True)
    citizen_name = fields.String(allow_none=True)
    service_request_id = fields.String(allow_none=True)
    appointment_id = fields.String(allow_none=True)
    join_url = fields.String(allow_none=True)


class AgendaSchema(Schema):
    date = fields.String(metadata={"format": "date"})
    time_zone = fields.String(metadata={"description": "IANA name, e.g. America/Sao_Paulo"})
    institution_id = fields.String()
    items = fields.List(fields.Nested(AgendaItemSchema))


class ProviderRef(Schema):
    id = fields.String()
    legal_name = fields.String(allow_none=True)


class AppointmentSchema(Schema):
    id = fields.String()
    provider_id = fields.String(allow_none=True)
    provider = fields.Nested(ProviderRef, allow_none=True, metadata={
        "description": "At a provider; null for an appointment at an institution"})
    institution_id = fields.String(allow_none=True)
    institution = fields.Nested(InstitutionRef, allow_none=True)
    citizen = fields.Nested(PersonRef)
    starts_at = _timestamp()
    notes = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(AttachmentSchema))
    status = fields.String(validate=validate.OneOf(APPOINTMENT_STATUSES))
    created_at = _timestamp()
    cancelled_at = _timestamp()
    cancelled_by = fields.String(allow_none=True, metadata={"enum": list(APPOINTMENT_SIDES)})


def _list_of(schema: type[Schema], name: str) -> type[Schema]:
    return Schema.from_dict({"items": fields.List(fields.Nested(schema)),
                             "next_cursor": fields.String(allow_none=True)}, name=name)


InstitutionList = _list_of(InstitutionSchema, "InstitutionList")
ServiceList = _list_of(ServiceSchema, "ServiceList")
AttendantRequestList = _list_of(AttendantRequestSchema, "AttendantRequestList")
ServiceRequestList = _list_of(ServiceRequestSchema, "ServiceRequestList")
FollowUpList = _list_of(FollowUpSchema, "FollowUpList")
MeetingList = _list_of(MeetingSchema, "MeetingList")
RatingList = _list_of(RatingSchema, "RatingList")
AppointmentList = _list_of(AppointmentSchema, "AppointmentList")
