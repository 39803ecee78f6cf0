"""Bodies, queries and answers of the relationships endpoints (API.md "Relationships")."""
from __future__ import annotations

from marshmallow import Schema, fields, validate

from gateway.api import Input, PageQuery
from ponte.contracts.identity import PROVIDER_TYPES
from ponte.contracts.relationships import ACCREDITED, INVITATION_STATUSES, RELATIONSHIP_STATUSES
from ponte.roles import PROVIDER_ROLES as ROLES


def _roles() -> fields.List:
    return fields.List(
        fields.String(validate=validate.OneOf(ROLES, error="Unknown role; choose from "
                                              + ", ".join(ROLES) + ".")),
        required=True, validate=validate.Length(min=1, error="Choose at least one role."),
        metadata={"description": "A non-empty subset of " + ", ".join(ROLES)})


def _timestamp(**kwargs: object) -> fields.String:
    return fields.String(allow_none=True, metadata={"format": "date-time", **kwargs})


UNTIL = ("Last day of the relationship (in the operator's time zone, PONTE_TIMEZONE), after "
         "today; null for an indefinite time")


class InvitationBody(Input):
    secretary_id = fields.UUID(required=True)
    roles = _roles()
    until = fields.Date(allow_none=True, load_default=None, metadata={
        "description": f"The term proposed. {UNTIL}; absent: indefinite"})


class RelationshipRolesBody(Input):
    roles = _roles()


class AcceptInvitationBody(Input):
    until = fields.Date(allow_none=True, metadata={
        "description": f"{UNTIL}; absent: the term the invitation proposed"})


class InvitationQuery(PageQuery):
    status = fields.String(load_default=None, validate=validate.OneOf(INVITATION_STATUSES))


class RelatedProvider(Schema):
    id = fields.String()
    legal_name = fields.String(allow_none=True)


class ProviderDetails(RelatedProvider):
    """Whom a secretary acts for, as her list of providers shows it (000 §4.2)."""

    provider_type = fields.String(allow_none=True, metadata={"enum": list(PROVIDER_TYPES)})
    document = fields.String(allow_none=True, metadata={"description": "CNPJ or CPF"})
    email = fields.String(allow_none=True)


class RelatedSecretary(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class InvitationSchema(Schema):
    id = fields.String()
    provider_id = fields.String()
    secretary_id = fields.String()
    provider = fields.Nested(RelatedProvider)
    secretary = fields.Nested(RelatedSecretary)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)))
    status = fields.String(validate=validate.OneOf(INVITATION_STATUSES))
    until = fields.String(allow_none=True, metadata={
        "format": "date", "description": "The term proposed: the last day, or null for an "
                                         "indefinite time"})
    created_at = _timestamp()
    decided_at = _timestamp()


class RelationshipSchema(Schema):
    id = fields.String()
    type = fields.String(metadata={"enum": ["secretary"]})
    provider_id = fields.String()
    secretary_id = fields.String()
    provider = fields.Nested(ProviderDetails)
    secretary = fields.Nested(RelatedSecretary)
    roles = fields.List(fields.String(validate=validate.OneOf(ROLES)))
    status = fields.String(validate=validate.OneOf(RELATIONSHIP_STATUSES))
    started_at = _timestamp()
    until = fields.String(allow_none=True, metadata={
        "format": "date", "description": "Last day chosen on acceptance, or null"})
    ends_at = _timestamp(description="When it ends (the midnight after `until`, Sao Paulo "
                                     "time) or ended; null while indefinite")
    invitation_id = fields.String(allow_none=True)


class AccreditationSchema(Schema):
    operator = fields.String()
    ans_code = fields.String()
    status = fields.String(metadata={"enum": [ACCREDITED]})
    since = fields.String(metadata={"format": "date"})


class InvitationList(Schema):
    items = fields.List(fields.Nested(InvitationSchema))
    next_cursor = fields.String(allow_none=True)


class RelationshipList(Schema):
    items = fields.List(fields.Nested(RelationshipSchema))
    next_cursor = fields.String(allow_none=True)


class AccreditationList(Schema):
    items = fields.List(fields.Nested(AccreditationSchema))
    next_cursor = fields.String(allow_none=True)
