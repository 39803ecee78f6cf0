"""Bodies, queries and answers of the authorizations endpoints (API.md "Authorizations")."""
from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.api import Input, PageQuery
from ponte.contracts.authorizations import (
    AUTHORIZED,
    CODE_REASONS,
    DENIAL_REASONS,
    FACES,
    FIRST_YEAR,
    INQUIRY_STATUSES,
    INQUIRY_SUBJECTS,
    INTERACTION_KINDS,
    ITEM_STATUSES,
    LAST_YEAR,
    MESSAGE,
    MONEY,
    OUTCOMES,
    POSTED_KINDS,
    PROCEDURE_CODE,
    REGIONS,
    SIDES,
    STATUSES,
    TEETH,
)
from ponte.documents import CPFField, DocumentField

NOT_BLANK = validate.Regexp(r"(?s).*\S", error="Must not be blank.")


def _text(required: bool = True, length: int = 4000, **kwargs: Any) -> fields.String:
    if required:
        return fields.String(required=True, validate=[NOT_BLANK, validate.Length(max=length)],
                             **kwargs)
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.Length(max=length), **kwargs)


class Money(fields.String):
    """A decimal string of ASCII digits with at most two decimals ("123.45"), nothing around
    it; numbers are refused, so no float ever carries money."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        if not isinstance(value, str) or not MONEY.fullmatch(value):
            raise ValidationError("A decimal string with at most 2 decimals, like \"123.45\".")
        return value


class Flag(fields.Boolean):
    """A JSON boolean: ``true`` or ``false``, never "yes", 1 or "true"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _day_of_care(**kwargs: Any) -> fields.Date:
    """A date of care or payment: years outside 2000–2100 are typing mistakes."""
    return fields.Date(validate=validate.Range(
        min=date(FIRST_YEAR, 1, 1), max=date(LAST_YEAR, 12, 31),
        error=f"A date between {FIRST_YEAR} and {LAST_YEAR}."), **kwargs)


def _reference(description: str) -> fields.String:
    """The id of something the provider owns, checked by the service (422 when it is not)."""
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=64),
                         metadata={"description": description})


# -- catalogue ----------------------------------------------------------------------------

class DemandTypeSchema(Schema):
    group = fields.String()
    group_label = fields.String()
    type = fields.String()
    label = fields.String()


class DemandTypeList(Schema):
    items = fields.List(fields.Nested(DemandTypeSchema))
    next_cursor = fields.String(allow_none=True)


class ProcedureQuery(PageQuery):
    q = fields.String(load_default=None, validate=validate.Length(max=100),
                      metadata={"description": "Code prefix or part of the name (accents and "
                                               "case ignored)"})


class ProcedureBody(Input):
    code = fields.String(required=True, validate=validate.Regexp(
        PROCEDURE_CODE.pattern + r"\Z", error="Must be 8 digits."))
    name = _text(length=300)
    requires_review = Flag(load_default=False)
    requires_tooth = Flag(load_default=False)
    requires_region = Flag(load_default=False)
    requires_faces = Flag(load_default=False)


class ProcedureChanges(Input):
    name = fields.String(validate=[NOT_BLANK, validate.Length(max=300)])
    requires_review = Flag()
    requires_tooth = Flag()
    requires_region = Flag()
    requires_faces = Flag()


class ProcedureSchema(Schema):
    code = fields.String()
    name = fields.String()
    requires_review = fields.Boolean()
    requires_tooth = fields.Boolean()
    requires_region = fields.Boolean()
    requires_faces = fields.Boolean()


class ProcedureList(Schema):
    items = fields.List(fields.Nested(ProcedureSchema))
    next_cursor = fields.String(allow_none=True)


# -- requests -----------------------------------------------------------------------------

class ItemBody(Input):
    procedure_code = fields.String(required=True, validate=validate.Length(min=1, max=20))
    quantity = fields.Integer(required=True, strict=True,
                              validate=validate.Range(min=1, max=999,
                                                      error="Must be between 1 and 999."))
    tooth = fields.Integer(load_default=None, allow_none=True, strict=True,
                           validate=validate.OneOf(TEETH, error="Not a tooth in FDI notation."),
                           metadata={"description": "FDI notation: 11–18, 21–28, 31–38, 41–48, "
                                                    "51–55, 61–65, 71–75, 81–85"})
    region = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(REGIONS, error="One of "
                                                   + ", ".join(REGIONS) + "."))
    faces = fields.List(fields.String(validate=validate.OneOf(FACES, error="One of "
                                                              + ", ".join(FACES) + ".")),
                        load_default=list, allow_none=True)


class ContactBody(Input):
    name = _text(length=200)
    phone = fields.String(required=True, validate=validate.Regexp(
        r"[0-9()+\-. ]{8,25}\Z", error="A phone number, like (21) 3479-1200."))
    email = fields.Email(required=True)


class BeneficiaryBody(Input):
    cpf = CPFField(load_default=None, allow_none=True)
    card_number = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(
        r"[0-9A-Za-z.\-]{1,30}\Z", error="Letters and digits, at most 30."))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))

    @validates_schema
    def _one_identifier(self, data: dict[str, Any], **kwargs: Any) -> None:
        if not data.get("cpf") and not data.get("card_number"):
            raise ValidationError("Give the beneficiary's cpf or card_number.")


class RequestBody(Input):
    provider_id = fields.String(load_default=None, metadata={
        "description": "May be left out when you act for exactly one provider"})
    demand_group = fields.String(required=True, validate=validate.Length(min=1, max=60))
    demand_type = fields.String(required=True, validate=validate.Length(min=1, max=60))
    contact = fields.Nested(ContactBody, required=True)
    professional_document = DocumentField(required=True, metadata={
        "description": "The requesting professional's CPF or CNPJ"})
    beneficiary = fields.Nested(BeneficiaryBody, required=True)
    observations = _text(required=False)
    items = fields.List(fields.Nested(ItemBody), load_default=list,
                        validate=validate.Length(max=100))
    attachment_ids = fields.List(fields.String(), load_default=list,
                                 validate=validate.Length(max=20))
    appointment_id = _reference("A care plan for an appointment booked with this provider")
    draft = Flag(load_default=False, metadata={
        "description": "true keeps it as a draft; otherwise it is submitted at once"})


class RequestQuery(PageQuery):
    provider_id = fields.String(load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(STATUSES))
    number = fields.String(load_default=None, validate=validate.Length(max=8))
    protocol = fields.String(load_default=None, validate=validate.Length(max=20))
    beneficiary = fields.String(load_default=None, validate=validate.Length(max=30),
                                metadata={"description": "The beneficiary's CPF or card number"})
    demand_group = fields.String(load_default=None, validate=validate.Length(max=60))
    demand_type = fields.String(load_default=None, validate=validate.Length(max=60))
    date = fields.Date(load_default=None, metadata={
        "description": "Day of submission in America/Sao_Paulo"})
    format = fields.String(load_default=None, validate=validate.OneOf(["json", "csv"]))


class InteractionBody(Input):
    message = _text()
    kind = fields.String(load_default=MESSAGE, validate=validate.OneOf(POSTED_KINDS))
    attachment_ids = fields.List(fields.String(), load_default=list,
                                 validate=validate.Length(max=20))


class CancellationBody(Input):
    reason = _text()


class AppealBody(Input):
    justification = _text()
    attachment_ids = fields.List(fields.String(), load_default=list,
                                 validate=validate.Length(max=20), metadata={
                                     "description": "Uploads of yours, shown on the appeal"})


def _denial_reason() -> fields.String:
    return fields.String(load_default=None, allow_none=True,
                         validate=validate.OneOf(DENIAL_REASONS), metadata={
                             "description": "Coded reason of a denial (001): registration, "
                                            "coverage, waiting_period (carência), warranty, "
                                            "technical, documentation"})


class ItemDecision(Input):
    item_id = fields.String(required=True)
    authorized = Flag(required=True)
    denial_reason = _denial_reason()


class DecisionBody(Input):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    items = fields.List(fields.Nested(ItemDecision), load_default=None, allow_none=True)
    justification = _text(required=False)
    denial_reason = _denial_reason()

    @validates_schema(skip_on_field_errors=False)
    def _justified(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("outcome") not in (None, AUTHORIZED) and \
                not (data.get("justification") or "").strip():
            raise ValidationError({"justification": [
                "Required unless the outcome is authorized."]})


class CodeQuery(Input):
    beneficiary = fields.String(load_default=None, validate=validate.Length(max=30))
    professional_document = fields.String(load_default=None, validate=validate.Length(max=20))
    procedure_code = fields.String(load_default=None, validate=validate.Length(max=20))


class RequestAttachment(Schema):
    id = fields.String()
    filename = fields.String()
    content_type = fields.String()
    size = fields.Integer()


class ItemSchema(Schema):
    id = fields.String()
    procedure_code = fields.String()
    quantity = fields.Integer()
    tooth = fields.Integer(allow_none=True)
    region = fields.String(allow_none=True)
    faces = fields.List(fields.String())
    status = fields.String(validate=validate.OneOf(ITEM_STATUSES))
    denial_reason = fields.String(allow_none=True)


class Contact(Schema):
    name = fields.String()
    phone = fields.String()
    email = fields.String()


class Beneficiary(Schema):
    cpf = fields.String()
    card_number = fields.String()
    name = fields.String()


class AuthorizationSchema(Schema):
    code = fields.String()
    valid_until = fields.String(metadata={"format": "date",
                                          "description": "The last valid day"})
    procedure_codes = fields.List(fields.String())


def _instant(**metadata: Any) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time", **metadata})


class RequestSchema(Schema):
    id = fields.String()
    provider_id = fields.String()
    number = fields.String(allow_none=True, metadata={"description": "8 digits; null in draft"})
    protocol = fields.String(allow_none=True,
                             metadata={"description": "20 digits; null in draft"})
    status = fields.String(validate=validate.OneOf(STATUSES))
    demand_group = fields.String()
    demand_type = fields.String()
    contact = fields.Nested(Contact)
    professional_document = fields.String()
    beneficiary = fields.Nested(Beneficiary)
    observations = fields.String(allow_none=True)
    items = fields.List(fields.Nested(ItemSchema))
    attachments = fields.List(fields.Nested(RequestAttachment))
    submitted_at = _instant()
    due_at = _instant(description="While awaiting_audit: same local time on the next "
                                  "business day")
    decided_at = _instant()
    authorization = fields.Nested(AuthorizationSchema, allow_none=True)
    justification = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    overdue = fields.Boolean()
    appeals = fields.Integer()
    appointment_id = fields.String(allow_none=True)
    created_at = _instant()


class RequestSummary(Schema):
    id = fields.String()
    provider_id = fields.String()
    number = fields.String(allow_none=True)
    protocol = fields.String(allow_none=True)
    submitted_at = _instant()
    demand_group = fields.String()
    demand_type = fields.String()
    beneficiary = fields.Nested(Beneficiary)
    status = fields.String(validate=validate.OneOf(STATUSES))
    due_at = _instant()
    overdue = fields.Boolean()
    created_at = _instant()


class RequestList(Schema):
    items = fields.List(fields.Nested(RequestSummary))
    next_cursor = fields.String(allow_none=True)


class InteractionAuthor(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    side = fields.String(validate=validate.OneOf(SIDES))


class InteractionSchema(Schema):
    id = fields.String()
    kind = fields.String(validate=validate.OneOf(INTERACTION_KINDS))
    author = fields.Nested(InteractionAuthor)
    message = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(RequestAttachment))
    created_at = _instant()


class InteractionList(Schema):
    items = fields.List(fields.Nested(InteractionSchema))
    next_cursor = fields.String(allow_none=True)


class CodeCheckSchema(Schema):
    code = fields.String()
    valid = fields.Boolean()
    reason = fields.String(allow_none=True, metadata={"enum": [*CODE_REASONS, None]})
    valid_until = fields.String(metadata={"format": "date"})
    request_number = fields.String()
    request_id = fields.String()
    procedure_codes = fields.List(fields.String())


# -- payments -----------------------------------------------------------------------------

class InvoiceBody(Input):
    number = _text(length=60)
    issued_on = _day_of_care(required=True)
    amount = Money(required=True)


class PaymentBody(Input):
    provider_id = fields.String(required=True)
    request_id = fields.String(load_default=None, allow_none=True)
    beneficiary = fields.Nested(BeneficiaryBody, load_default=None, allow_none=True)
    invoice = fields.Nested(InvoiceBody, required=True)
    amount_paid = Money(required=True)
    paid_on = _day_of_care(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _paid_after_issue(self, data: dict[str, Any], **kwargs: Any) -> None:
        issued_on = (data.get("invoice") or {}).get("issued_on")
        if issued_on and data.get("paid_on") and data["paid_on"] < issued_on:
            raise ValidationError({"paid_on": ["Must not precede invoice.issued_on."]})


class ProviderQuery(PageQuery):
    provider_id = fields.String(load_default=None)


class Invoice(Schema):
    number = fields.String()
    issued_on = fields.String(metadata={"format": "date"})
    amount = fields.String(metadata={"description": "Decimal string"})


class PaymentSchema(Schema):
    id = fields.String()
    provider_id = fields.String()
    request_id = fields.String(allow_none=True)
    beneficiary = fields.Nested(Beneficiary, allow_none=True)
    invoice = fields.Nested(Invoice)
    amount_paid = fields.String(metadata={"description": "Decimal string"})
    withheld = fields.String(metadata={"description": "invoice.amount − amount_paid"})
    paid_on = fields.String(metadata={"format": "date"})
    created_at = _instant()


class PaymentList(Schema):
    items = fields.List(fields.Nested(PaymentSchema))
    next_cursor = fields.String(allow_none=True)


# -- inquiries ----------------------------------------------------------------------------

class InquiryBody(Input):
    provider_id = fields.String(load_default=None)
    subject = fields.String(required=True, validate=validate.OneOf(INQUIRY_SUBJECTS))
    message = _text()
    request_id = fields.String(load_default=None, allow_none=True)
    payment_id = _reference("A payment of this provider")
    appointment_id = _reference("An appointment booked with this provider")


class InquiryQuery(ProviderQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(INQUIRY_STATUSES))


class MessageBody(Input):
    message = _text()


class MessageSchema(Schema):
    id = fields.String()
    author = fields.Nested(InteractionAuthor)
    message = fields.String()
    created_at = _instant()


class InquirySchema(Schema):
    id = fields.String()
    provider_id = fields.String()
    subject = fields.String(validate=validate.OneOf(INQUIRY_SUBJECTS))
    status = fields.String(validate=validate.OneOf(INQUIRY_STATUSES))
    request_id = fields.String(allow_none=True)
    payment_id = fields.String(allow_none=True)
    appointment_id = fields.String(allow_none=True)
    messages = fields.List(fields.Nested(MessageSchema))
    created_at = _instant()
    updated_at = _instant()


class InquiryList(Schema):
    items = fields.List(fields.Nested(InquirySchema))
    next_cursor = fields.String(allow_none=True)
