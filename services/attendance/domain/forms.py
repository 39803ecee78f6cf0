"""A service's form and the validation of a citizen's answers against it (002: the citizen fills
the service's form; the attendant checks "se o cidadão inseriu todas as informações").

The edge checks the *shape* of a form definition and that ``answers`` is an object; the rules
here are the ones only the service's own form can decide: which fields exist, which are required,
and whether each value is of its field's type. Errors name ``answers.<field>``.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from ponte.documents import normalise_cpf
from ponte.errors import InvalidInput

MAX_TEXT = 5000
MAX_NUMBER = Decimal(10) ** 15
# syntax only, as for accounts (API.md): something@domain.tld, no spaces
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    type: str
    required: bool = False
    choices: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "type": self.type,
                "required": self.required,
                "choices": list(self.choices) if self.type == "choice" else None}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FormField:
        return cls(name=data["name"], label=data["label"], type=data["type"],
                   required=bool(data.get("required")),
                   choices=tuple(data.get("choices") or ()))


def define_form(fields: Iterable[dict[str, Any]]) -> tuple[FormField, ...]:
    """A form: field names unique, and a ``choice`` field offers at least one choice (other
    types take none)."""
    form = tuple(FormField.from_dict(f) for f in fields)
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    for index, field in enumerate(form):
        if field.name in seen:
            errors[f"form_fields.{index}.name"] = [f"The name {field.name!r} is used twice."]
        seen.add(field.name)
        if field.type == "choice" and not field.choices:
            errors[f"form_fields.{index}.choices"] = ["A choice field needs its choices."]
        if field.type != "choice" and field.choices:
            errors[f"form_fields.{index}.choices"] = ["Only a choice field has choices."]
    if errors:
        raise InvalidInput("The form is not valid.", errors)
    return form


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be text.")
    if len(value) > MAX_TEXT:
        raise ValueError(f"At most {MAX_TEXT} characters.")
    return value.strip()


def _number(field: FormField, value: Any) -> int | float:
    """A JSON number or a numeric string, at most 10^15 in size."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("Must be a number.")
    try:
        number = Decimal(value.strip().replace(",", ".") if isinstance(value, str)
                         else str(value))
    except InvalidOperation:
        raise ValueError("Must be a number.") from None
    if not number.is_finite():
        raise ValueError("Must be a number.")
    if abs(number) > MAX_NUMBER:
        raise ValueError("At most 10^15.")
    if isinstance(value, (int, float)):
        return value
    return int(number) if number == number.to_integral_value() else float(number)


def _date(field: FormField, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be a date YYYY-MM-DD.")
    try:
        return date.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise ValueError("Must be a date YYYY-MM-DD.") from None


def _cpf(field: FormField, value: Any) -> str:
    return normalise_cpf(value)


def _email(field: FormField, value: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) > 320 \
            or not _EMAIL.fullmatch(value.strip()):
        raise ValueError("Must be an e-mail address.")
    return value.strip()


def _choice(field: FormField, value: Any) -> str:
    if not isinstance(value, str) or value not in field.choices:
        raise ValueError("Choose one of: " + ", ".join(field.choices) + ".")
    return value


_CHECKS = {"text": _text, "number": _number, "date": _date, "cpf": _cpf, "email": _email,
           "choice": _choice}


def validate_answers(form: Iterable[FormField], answers: dict[str, Any]) -> dict[str, Any]:
    """The answers, normalised (CPF as 11 digits, dates ISO, numbers as numbers), or
    InvalidInput naming each wrong field as ``answers.<field>``. A required field must have a
    non-blank value; an optional one may be left out, null or blank (then it is left out).
    Answers to fields the form does not have are refused."""
    form = list(form)
    known = {f.name for f in form}
    errors: dict[str, list[str]] = {
        f"answers.{name}": ["This service's form has no such field."]
        for name in answers if name not in known}
    clean: dict[str, Any] = {}
    for field in form:
        value = answers.get(field.name)
        if _blank(value):
            if field.required:
                errors[f"answers.{field.name}"] = ["Required."]
            continue
        try:
            clean[field.name] = _CHECKS[field.type](field, value)
        except ValueError as exc:
            errors[f"answers.{field.name}"] = [str(exc)]
    if errors:
        raise InvalidInput("Some answers are missing or not valid.", errors)
    return clean
