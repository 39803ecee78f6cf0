"""Brazilian taxpayer documents: CPF (people) and CNPJ (organisations), checked by their digits.

Input may carry the usual punctuation (``.``, ``/``, ``-``) and surrounding spaces; the result is
the bare characters, letters upper-cased. CNPJ accepts both the classic numeric form and the
alphanumeric one in force since July 2026: 12 characters from ``0-9A-Z`` then 2 numeric check
digits, each character valued ``ord(c) - 48`` with the classic weights (SPEC "Identity").
"""
from __future__ import annotations

import re
from typing import Any, Literal

from marshmallow import ValidationError, fields

PersonType = Literal["individual", "organisation"]

_PUNCTUATION = re.compile(r"[./\-]")
_CPF = re.compile(r"\d{11}")
_CNPJ = re.compile(r"[0-9A-Z]{12}\d{2}")
_CPF_WEIGHTS = (range(10, 1, -1), range(11, 1, -1))
_CNPJ_WEIGHTS = ((5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2), (6, 5, 4, 3, 2, 9, 8, 7, 6, 5, 4, 3, 2))


def _clean(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("Must be a string.")
    return _PUNCTUATION.sub("", value.strip()).upper()


def _check_digit(values: list[int], weights: Any) -> int:
    remainder = sum(v * w for v, w in zip(values, weights, strict=False)) % 11
    return 0 if remainder < 2 else 11 - remainder


def cpf_check_digits(first_nine: str) -> str:
    """The two check digits of a CPF whose first nine digits are given."""
    values = [int(c) for c in first_nine]
    for weights in _CPF_WEIGHTS:
        values.append(_check_digit(values, weights))
    return f"{values[-2]}{values[-1]}"


def cnpj_check_digits(first_twelve: str) -> str:
    """The two check digits of a CNPJ whose first twelve characters (0-9, A-Z) are given."""
    values = [ord(c) - 48 for c in first_twelve.upper()]
    for weights in _CNPJ_WEIGHTS:
        values.append(_check_digit(values, weights))
    return f"{values[-2]}{values[-1]}"


def normalise_cpf(value: Any) -> str:
    """The CPF's 11 digits, or ValueError saying what is wrong."""
    cpf = _clean(value)
    if not _CPF.fullmatch(cpf):
        raise ValueError("A CPF has 11 digits.")
    if len(set(cpf)) == 1:
        raise ValueError("Not a valid CPF.")
    if cpf_check_digits(cpf[:9]) != cpf[9:]:
        raise ValueError("The CPF check digits do not match.")
    return cpf


def normalise_cnpj(value: Any) -> str:
    """The CNPJ's 14 characters (alphanumeric or numeric), or ValueError saying what is wrong."""
    cnpj = _clean(value)
    if not _CNPJ.fullmatch(cnpj):
        raise ValueError("A CNPJ has 12 letters or digits followed by 2 check digits.")
    if len(set(cnpj)) == 1:
        raise ValueError("Not a valid CNPJ.")
    if cnpj_check_digits(cnpj[:12]) != cnpj[12:]:
        raise ValueError("The CNPJ check digits do not match.")
    return cnpj


def normalise_document(value: Any) -> tuple[str, PersonType]:
    """A CPF (an individual) or a CNPJ (an organisation), told apart by length."""
    cleaned = _clean(value)
    if len(cleaned) == 11:
        return normalise_cpf(cleaned), "individual"
    if len(cleaned) == 14:
        return normalise_cnpj(cleaned), "organisation"
    raise ValueError("Give a CPF (11 digits) or a CNPJ (14 characters).")


def _is(normaliser: Any, value: Any) -> bool:
    try:
        normaliser(value)
    except ValueError:
        return False
    return True


def is_cpf(value: Any) -> bool:
    return _is(normalise_cpf, value)


def is_cnpj(value: Any) -> bool:
    return _is(normalise_cnpj, value)


def person_type(document: str) -> PersonType:
    """Of an already normalised document."""
    return "individual" if len(document) == 11 else "organisation"


class _DocumentField(fields.String):
    """A string field that loads as the normalised document or fails with a field error."""

    normaliser: Any = staticmethod(normalise_document)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            result = self.normaliser(text)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return result[0] if isinstance(result, tuple) else result


class CPFField(_DocumentField):
    normaliser = staticmethod(normalise_cpf)


class CNPJField(_DocumentField):
    normaliser = staticmethod(normalise_cnpj)


class DocumentField(_DocumentField):
    """CPF or CNPJ; the person type follows from :func:`person_type`."""

    normaliser = staticmethod(normalise_document)
