"""Shapes of the identity endpoints (API.md "Identity"): the only place they are checked. They
check form: types, enumerations, e-mail syntax, CPF/CNPJ digits (loaded normalised),
confirmations and accepted terms. Rules (password policy, provider types and shared site
e-mails, uniqueness, lockout) are identity's domain."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from gateway.api import Input, PageQuery
from ponte.contracts.identity import (
    LOCALES,
    PROVIDER_STATUSES,
    PROVIDER_TYPES,
    SEARCH_WORD_MIN,
    SEXES,
    UFS,
    search_words,
)
from ponte.documents import CPFField, DocumentField
from ponte.emails import email_key, normalise_email
from ponte.roles import STAFF_ROLES

PHONE = re.compile(r"[0-9+()\-. ]{3,30}")
MAX_PHONES = 10


class Text(fields.String):
    """Text with surrounding spaces removed; blank counts as missing."""

    def __init__(self, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(min=1, max=max_length), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class Email(fields.Email):
    """Syntax only (special-use domains such as ``.test`` are valid; API.md), in the one
    spelling of ``ponte.emails.normalise_email`` (NFKC, ASCII local part, IDNA domain)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=254), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, str):
            try:
                value = normalise_email(value)
            except ValueError as exc:
                raise ValidationError(str(exc)) from None
        return super()._deserialize(value, attr, data, **kwargs)


class Password(fields.String):
    """Any text; the policy is identity's (it applies to new passwords only)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=1024), **kwargs)


def _must_match(data: dict, field: str, other: str, message: str,
                fold: bool = False) -> None:
    first, second = data.get(field), data.get(other)
    if first is None or second is None:
        return
    if fold:
        first, second = email_key(first), email_key(second)
    if first != second:
        raise ValidationError({other: [message]})


class _NewPassword(Input):
    password = Password(required=True)
    password_confirmation = Password(required=True)
    accepted_terms = fields.Boolean(required=True, truthy={True}, falsy={False},
                                    validate=validate.Equal(True,
                                                            error="The terms must be accepted."))

    @validates_schema(skip_on_field_errors=False)
    def _passwords_match(self, data: dict, **kwargs: Any) -> None:
        _must_match(data, "password", "password_confirmation", "Does not match the password.")


# sessions
class LoginIn(Input):
    login = fields.String(required=True, validate=validate.Length(min=1, max=320))
    password = Password(required=True)
    remember_me = fields.Boolean(load_default=False)


class RefreshIn(Input):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AccountOut(Schema):
    id, kind, name, email = fields.String(), fields.String(), fields.String(), fields.String()


class SessionOut(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()
    refresh_expires_in = fields.Integer()
    account = fields.Nested(AccountOut)


# me
class MyProviderOut(Schema):
    id, document, legal_name = fields.String(), fields.String(), fields.String()
    person_type, provider_type = fields.String(), fields.String(allow_none=True)
    site_id = fields.String()


class GrantOut(Schema):
    provider_id = fields.String()
    legal_name = fields.String(allow_none=True)
    roles = fields.List(fields.String())


class MeOut(AccountOut):
    secondary_email = fields.String(allow_none=True)
    cpf = fields.String(allow_none=True)
    sex = fields.String(allow_none=True)
    roles = fields.List(fields.String())
    locale = fields.String()
    provider = fields.Nested(MyProviderOut, allow_none=True)
    acting_for = fields.List(fields.Nested(GrantOut))
    missing_profile = fields.List(fields.String(), metadata={
        "description": "Provider profile fields still required before submitting requests or "
                       "taking bookings: address.street, address.number, address.district, "
                       "address.city, address.state, address.postal_code, phones"})
    created_at = fields.String()


class MeUpdateIn(Input):
    name = Text()
    secondary_email = Email(allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES))


class EmailChangeIn(Input):
    current_password = Password(required=True)
    new_email = Email(required=True)


class PasswordChangeIn(Input):
    current_password = Password(required=True)
    new_password = Password(required=True)
    new_password_confirmation = Password(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _passwords_match(self, data: dict, **kwargs: Any) -> None:
        _must_match(data, "new_password", "new_password_confirmation",
                    "Does not match the new password.")


class CurrentPasswordIn(Input):
    current_password = Password(required=True)


# self-registration
class CitizenIn(_NewPassword):
    cpf = CPFField(required=True)
    email = Email(required=True)
    name = Text(required=True)
    sex = fields.String(validate=validate.OneOf(SEXES))
    secondary_email = Email(allow_none=True)
    locale = fields.String(validate=validate.OneOf(LOCALES))


class SecretaryIn(CitizenIn):
    email_confirmation = fields.String(required=True, validate=validate.Length(max=254))
    sex = fields.String(required=True, validate=validate.OneOf(SEXES))

    @validates_schema(skip_on_field_errors=False)
    def _emails_match(self, data: dict, **kwargs: Any) -> None:
        _must_match(data, "email", "email_confirmation", "Does not match the e-mail.",
                    fold=True)


def _search_words(text: str) -> None:
    """A name search: each word (ignoring case, accents and punctuation) has at least 3
    characters, against directory harvesting."""
    words = search_words(text)
    if not words or any(len(word) < SEARCH_WORD_MIN for word in words):
        raise ValidationError(f"Give words of at least {SEARCH_WORD_MIN} characters.")


def _name_search() -> fields.String:
    return fields.String(validate=[validate.Length(max=200), _search_words])


class SecretaryQuery(PageQuery):
    """By exact CPF or e-mail, or by name: each word of the query starts some word of the name
    (``souza`` finds "Ana Maria Souza")."""

    cpf = CPFField()
    email = Email()
    name = _name_search()

    @validates_schema
    def _one_criterion(self, data: dict, **kwargs: Any) -> None:
        if not any(data.get(k) for k in ("cpf", "email", "name")):
            raise ValidationError({"_query": ["Give cpf, email or name."]})


class SecretaryOut(Schema):
    id, name, email = fields.String(), fields.String(), fields.String()


class SecretaryPageOut(Schema):
    items = fields.List(fields.Nested(SecretaryOut))
    next_cursor = fields.String(allow_none=True)


# staff and providers
class StaffIn(Input):
    email = Email(required=True)
    name = Text(required=True)
    roles = fields.List(fields.String(validate=validate.OneOf(STAFF_ROLES)), required=True,
                        validate=validate.Length(min=1))
    locale = fields.String(validate=validate.OneOf(LOCALES))


class StaffOut(AccountOut):
    roles = fields.List(fields.String())
    status = fields.String()
    created_at = fields.String()


class SiteIn(Input):
    name = Text(required=True)
    email = Email(required=True)


class ProviderIn(Input):
    document = DocumentField(required=True)
    legal_name = Text(required=True)
    email = Email(required=True)
    secondary_email = Email(allow_none=True)
    sites = fields.List(fields.Nested(SiteIn), validate=validate.Length(min=1, max=100))
    locale = fields.String(validate=validate.OneOf(LOCALES))


class SiteOut(Schema):
    id, name, email, status = fields.String(), fields.String(), fields.String(), fields.String()


class PreregisteredOut(Schema):
    id, document, legal_name = fields.String(), fields.String(), fields.String()
    person_type, email, status = fields.String(), fields.String(), fields.String()
    secondary_email = fields.String(allow_none=True)
    sites = fields.List(fields.Nested(SiteOut))
    created_at = fields.String()


class RegistrationOut(Schema):
    document, legal_name, email = fields.String(), fields.String(), fields.String()
    site_name, person_type = fields.String(), fields.String()
    email_shared = fields.Boolean()
    provider_type = fields.String(allow_none=True)


class RegistrationIn(_NewPassword):
    provider_type = fields.String(validate=validate.OneOf(PROVIDER_TYPES))
    sex = fields.String(validate=validate.OneOf(SEXES))
    email = Email()
    secondary_email = Email(allow_none=True)


class RegisteredAccountOut(Schema):
    id, kind, email = fields.String(), fields.String(), fields.String()


class RegisteredOut(Schema):
    account = fields.Nested(RegisteredAccountOut)


class PasswordResetRequestIn(Input):
    email = Email(required=True)


class PasswordResetIn(Input):
    password = Password(required=True)
    password_confirmation = Password(required=True)

    @validates_schema(skip_on_field_errors=False)
    def _passwords_match(self, data: dict, **kwargs: Any) -> None:
        _must_match(data, "password", "password_confirmation", "Does not match the password.")


# provider profile
def _optional_text(max_length: int) -> fields.String:
    return fields.String(allow_none=True, validate=validate.Length(max=max_length))


class State(fields.String):
    """A Brazilian federative unit (``RJ``), in capitals."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        state = super()._deserialize(value, attr, data, **kwargs).strip().upper()
        if state not in UFS:
            raise ValidationError("Not a Brazilian state (UF), such as RJ.")
        return state


class PostalCode(fields.String):
    """A CEP: 8 digits, punctuation ignored (``20040-002`` → ``20040002``)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        digits = re.sub(r"[\s.\-/]", "", text)
        if not (len(digits) == 8 and digits.isascii() and digits.isdigit()):
            raise ValidationError("Not a CEP: give its 8 digits, such as 20040-002.")
        return digits


class AddressIn(Input):
    street, number, complement = _optional_text(200), _optional_text(50), _optional_text(200)
    district, city = _optional_text(200), _optional_text(200)
    state = State(allow_none=True)
    postal_code = PostalCode(allow_none=True)


class Phone(fields.String):
    """A phone number: digits, spaces and ``+ ( ) - .``, 3 to 30 characters once trimmed."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Regexp(PHONE, error="Not a valid phone number."),
                         **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).strip()


class ProfileIn(Input):
    address = fields.Nested(AddressIn, allow_none=True)
    phones = fields.List(Phone(), allow_none=True, validate=validate.Length(
        max=MAX_PHONES, error=f"At most {MAX_PHONES} phone numbers."))
    opening_hours = _optional_text(500)
    description = _optional_text(5000)


class AddressOut(Schema):
    street, number, complement = fields.String(), fields.String(), fields.String()
    district, city, state, postal_code = (fields.String(), fields.String(), fields.String(),
                                          fields.String())


class ImageOut(Schema):
    id, url = fields.String(), fields.String()


class ProfileOut(Schema):
    address = fields.Nested(AddressOut, allow_none=True)
    phones = fields.List(fields.String())
    opening_hours = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    images = fields.List(fields.Nested(ImageOut))


class SiteRefOut(Schema):
    id, name = fields.String(), fields.String()


class ProviderOut(Schema):
    id, legal_name, person_type = fields.String(), fields.String(), fields.String()
    provider_type = fields.String(allow_none=True)
    status = fields.String(metadata={
        "enum": list(PROVIDER_STATUSES),
        "description": "Only for operators and the provider's own side"})
    sites = fields.List(fields.Nested(SiteRefOut))
    profile = fields.Nested(ProfileOut)


class ProviderQuery(PageQuery):
    q = _name_search()
    provider_type = fields.String(validate=validate.OneOf(PROVIDER_TYPES))
    city = fields.String(validate=validate.Length(min=1, max=200))
    status = fields.String(validate=validate.OneOf(PROVIDER_STATUSES), metadata={
        "description": "Operators only"})


class ProviderListOut(Schema):
    items = fields.List(fields.Nested(ProviderOut))
    next_cursor = fields.String(allow_none=True)
