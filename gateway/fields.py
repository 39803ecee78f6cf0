"""The gateway's rules for request values, kept by every request schema.

:class:`gateway.api.Input` gives each ``String`` and ``Boolean`` field of a request schema (its
own fields, those of lists, dicts and tuples, and those of nested ``Input`` schemas) these rules,
so a schema written with marshmallow's plain fields keeps them too:

* Free text is trimmed at both ends of white space and invisible characters (a field that parses
  its text itself, such as money or a CPF, gets it untrimmed and judges it); text made only of
  them is blank, and a required field that is blank is missing. No control character is accepted,
  except line breaks in a multi-line field (metadata ``multiline=True``, or by default any text
  that may be ``MULTILINE_FROM`` characters or longer). Passwords are kept exactly as typed; only
  the NUL character is refused in them.
* Booleans are JSON ``true`` and ``false``: ``"true"``, ``"yes"``, ``1`` are refused.
* Anything else taken raw may not hold the NUL character (PostgreSQL cannot store it).
"""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from marshmallow import ValidationError, fields, validate

NUL = "\x00"  # valid JSON and URL text that PostgreSQL cannot store or compare
MULTILINE_FROM = 1000
LINE_BREAKS = frozenset("\n\r")
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
"""Unicode's category Cc, whole: C0, DEL and C1 (one search instead of a look per character)."""
# letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern): with white
# space and format characters (category Cf: U+200B ZERO WIDTH SPACE, U+FEFF, U+2060 ...), what a
# text may not be made of alone
BLANK_LOOKING = frozenset("\u115f\u1160\u3164\uffa0\u2800")
HAS_NUL = "Must not contain the NUL character."
HAS_CONTROL = "Must not contain control characters."
HAS_LINE_BREAK = "Must be a single line."


def holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(holds_nul(key) or holds_nul(item) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(holds_nul(item) for item in value)
    return False


def invisible(character: str) -> bool:
    return (character.isspace() or character in BLANK_LOOKING
            or unicodedata.category(character) == "Cf")


def trimmed(text: str) -> str:
    """``text`` without white space and invisible characters at either end."""
    start, end = 0, len(text)
    while start < end and invisible(text[start]):
        start += 1
    while end > start and invisible(text[end - 1]):
        end -= 1
    return text[start:end]


def text_problem(text: str, *, multiline: bool) -> str | None:
    """Why ``text`` is refused, or None."""
    if NUL in text:
        return HAS_NUL
    controls = set(CONTROLS.findall(text))
    if multiline:
        controls -= LINE_BREAKS
    if not controls:
        return None
    return HAS_LINE_BREAK if controls <= LINE_BREAKS else HAS_CONTROL


def is_multiline(field: fields.Field) -> bool:
    if "multiline" in field.metadata:
        return bool(field.metadata["multiline"])
    return any(isinstance(rule, validate.Length) and rule.max is not None
               and rule.max >= MULTILINE_FROM for rule in field.validators)


def is_secret(field: fields.Field) -> bool:
    return "password" in (field.name or "")


def _text(field: fields.Field, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if is_secret(field):
        if NUL in value:
            raise ValidationError(HAS_NUL)
        return value
    problem = text_problem(value, multiline=is_multiline(field))
    if problem is not None:
        raise ValidationError(problem)
    if not trimmed(value) and field.required:
        raise field.make_error("required")
    return trimmed(value) if is_free_text(field) else value


def is_free_text(field: fields.Field) -> bool:
    """A text field that takes its value as it comes (not one that parses it: money, CPF/CNPJ,
    e-mail addresses, ids), so surrounding spaces are only noise."""
    own = type(field).__mro__[1] if getattr(type(field), "ponte_rules", False) else type(field)
    return own._deserialize is fields.String._deserialize


def _boolean(field: fields.Field, value: Any) -> Any:
    if value is True or value is False:
        return value
    raise field.make_error("invalid", input=value)


def _raw(field: fields.Field, value: Any) -> Any:
    if holds_nul(value):
        raise ValidationError(HAS_NUL)
    return value


def _rule_of(field: fields.Field) -> Callable[[fields.Field, Any], Any] | None:
    if isinstance(field, fields.Boolean):
        return _boolean
    if isinstance(field, fields.String):
        return _text
    if isinstance(field, fields.Raw) or (
            isinstance(field, fields.Mapping)
            and (field.key_field is None or field.value_field is None)):
        return _raw
    return None


def apply_rules(field: fields.Field) -> None:
    """Give ``field`` (and the fields inside it) the rules of its kind, in place."""
    rule = _rule_of(field)
    if rule is not None and not getattr(type(field), "ponte_rules", False):
        field.__class__ = _ruled(type(field), rule)
    for inner in _inner_fields(field):
        apply_rules(inner)


def _inner_fields(field: fields.Field) -> list[fields.Field]:
    found = [getattr(field, "inner", None), getattr(field, "key_field", None),
             getattr(field, "value_field", None), *getattr(field, "tuple_fields", ())]
    return [inner for inner in found if isinstance(inner, fields.Field)]


@functools.cache
def _ruled(kind: type, rule: Callable[[fields.Field, Any], Any]) -> type:
    """``kind`` whose loading first applies ``rule`` (same name, so documents and messages do
    not change)."""
    def _deserialize(self: fields.Field, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> Any:
        return kind._deserialize(self, rule(self, value), attr, data, **kwargs)

    return type(kind.__name__, (kind,), {"_deserialize": _deserialize, "ponte_rules": True,
                                         "__module__": kind.__module__,
                                         "__qualname__": kind.__qualname__})
