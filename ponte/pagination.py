"""Keyset pagination: lists are read in a fixed order and a page ends with an opaque cursor that
names the last row, so the next page starts right after it (no OFFSET, no row seen twice when rows
are added meanwhile). API.md: ``{"items": [...], "next_cursor": "<opaque>" | null}``.

A cursor is only ever one the API handed out: one that does not decode, or whose values do not
have the types of the key's columns, is forged or broken, a 400 naming ``cursor`` (issue 17: a
malformed request, not a value a person typed); it never reaches the database.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping
from sqlalchemy.orm import Session

from ponte.clock import iso, parse_iso
from ponte.errors import BadRequest

Page = tuple[list[RowMapping], str | None]
BIGINT = 2 ** 63
MAX_DIGITS = 1000  # PostgreSQL's numeric holds far more; a cursor's number is never near it


def _invalid() -> BadRequest:
    return BadRequest("This cursor is not valid.", {"cursor": ["Not a valid cursor."]})


def _encode_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"t": iso(value)}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, text), = value.items()
        if isinstance(text, str):
            if tag == "t":
                return parse_iso(text)
            if tag == "d":
                return date.fromisoformat(text)
            if tag == "n":
                return Decimal(text)
        raise ValueError("unknown tag")
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ValueError("not a key value")
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError("NUL")
        value.encode()  # a lone surrogate cannot reach the database
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([_encode_value(v) for v in values], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The key values a cursor names; a forged or foreign cursor is a 400 naming ``cursor``."""
    try:
        text = str(cursor)
        values = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(values, list) or len(values) != arity:
            raise ValueError("wrong arity")
        return [_decode_value(v) for v in values]
    except (ValueError, TypeError, RecursionError, UnicodeError):
        raise _invalid() from None


def _fits(value: Any, column: sa.ColumnElement) -> bool:
    """Whether a decoded cursor value has the Python type of its key column (a forged cursor
    would otherwise reach the database as a timestamp compared with a date, a text with an
    integer, an infinite number...)."""
    kind = column.type
    try:
        expected = (kind.impl if isinstance(kind, sa.TypeDecorator) else kind).python_type
    except NotImplementedError:
        return True
    if expected is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if expected is Decimal:
        return isinstance(value, (Decimal, int)) and Decimal(value).is_finite() \
            and abs(Decimal(value).adjusted()) <= MAX_DIGITS
    if expected is int:
        return isinstance(value, int) and -BIGINT <= value < BIGINT
    return isinstance(value, expected)


def page(session: Session | sa.Connection, select: sa.Select, order: Sequence[sa.ColumnElement],
         limit: int, cursor: str | None, descending: bool = True) -> Page:
    """One page of ``select`` ordered by ``order`` (its last column must make the order total,
    e.g. ``(created_at, id)``), at most ``limit`` rows after ``cursor``. A query of a fixed
    shape on a hot path keeps a :class:`Pager` instead."""
    return Pager(select, order, descending).page(session, {}, limit, cursor)


class Pager:
    """:func:`page` for a query whose shape does not change from call to call, its statements
    built once (``ponte.sql``): the first page and the pages after a cursor, with the query's
    own values, the cursor's and the limit passed as parameters."""

    def __init__(self, select: sa.Select, order: Sequence[sa.ColumnElement],
                 descending: bool = True) -> None:
        self.order = list(order)
        ordering = [column.desc() if descending else column.asc() for column in order]
        limit = sa.bindparam("page_limit")
        key = sa.tuple_(*order)
        bound = sa.tuple_(*[sa.bindparam(f"page_after_{n}", type_=column.type)
                            for n, column in enumerate(order)])
        self.first = select.order_by(*ordering).limit(limit)
        self.after = select.where(key < bound if descending else key > bound) \
            .order_by(*ordering).limit(limit)

    def page(self, session: Session | sa.Connection, values: dict[str, Any], limit: int,
             cursor: str | None) -> Page:
        params = {**values, "page_limit": limit + 1}
        statement = self.first
        if cursor:
            params.update({f"page_after_{n}": value
                           for n, value in enumerate(_after(cursor, self.order))})
            statement = self.after
        rows = list(session.execute(statement, params).mappings())
        return _ended(rows, self.order, limit)


def _after(cursor: str, order: Sequence[sa.ColumnElement]) -> list[Any]:
    """The key values a cursor names, checked against the key's columns (else a 400)."""
    values = decode_cursor(cursor, len(order))
    if not all(_fits(value, column) for value, column in zip(values, order, strict=True)):
        raise _invalid()
    return values


def _ended(rows: list[RowMapping], order: Sequence[sa.ColumnElement], limit: int) -> Page:
    """The page (``limit`` + 1 rows were asked for: one more says there is a next page)."""
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = encode_cursor([rows[-1][column.key] for column in order]) if more else None
    return rows, next_cursor
