"""Keyset pages: every row once, in order, across pages; a forged cursor is a 400."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from ponte.db import UTCDateTime
from ponte.errors import BadRequest
from ponte.pagination import Pager, decode_cursor, encode_cursor, page

rows = sa.Table("rows", sa.MetaData(), sa.Column("id", sa.String(10), primary_key=True),
                sa.Column("created_at", UTCDateTime, nullable=False))
START = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.fixture
def conn():
    engine = sa.create_engine("sqlite://")
    with engine.begin() as connection:
        rows.create(connection)
        # pairs share a timestamp, so the id has to break ties
        connection.execute(rows.insert(), [{"id": f"r{i:02}", "created_at":
                                            START + timedelta(seconds=i // 2)} for i in range(25)])
        yield connection


@pytest.mark.parametrize("descending", [True, False])
def test_pages_walk_every_row_once_in_order(conn, descending):
    seen, cursor = [], None
    while True:
        items, cursor = page(conn, sa.select(rows), [rows.c.created_at, rows.c.id], 4, cursor,
                             descending=descending)
        seen += [row["id"] for row in items]
        if cursor is None:
            break
    expected = sorted((f"r{i:02}" for i in range(25)), reverse=descending)
    assert seen == expected


@pytest.mark.parametrize("descending", [True, False])
def test_a_pager_built_once_walks_as_page_does_with_its_values_as_parameters(conn, descending):
    since = sa.select(rows).where(rows.c.created_at >= sa.bindparam("since"))
    pager = Pager(since, [rows.c.created_at, rows.c.id], descending=descending)
    built_each_time = sa.select(rows).where(rows.c.created_at >= START + timedelta(seconds=3))
    walked, cursor = [], None
    while True:
        items, next_cursor = pager.page(conn, {"since": START + timedelta(seconds=3)}, 4, cursor)
        assert (items, next_cursor) == page(conn, built_each_time, [rows.c.created_at, rows.c.id],
                                            4, cursor, descending=descending)
        walked += [row["id"] for row in items]
        if (cursor := next_cursor) is None:
            break
    assert walked == sorted((f"r{i:02}" for i in range(6, 25)), reverse=descending)
    with pytest.raises(BadRequest):
        pager.page(conn, {"since": START}, 4, encode_cursor(["not a time", "r01"]))


def test_the_last_page_has_no_cursor(conn):
    items, cursor = page(conn, sa.select(rows), [rows.c.created_at, rows.c.id], 25, None)
    assert len(items) == 25 and cursor is None


@pytest.mark.parametrize("cursor", ["garbage", encode_cursor(["only one"]),
                                    encode_cursor([{"t": "not a time"}, "x"]),
                                    encode_cursor([None, "x"]), encode_cursor(["a\x00", "x"]),
                                    "W1siXHVkODAwIl1d"])
def test_forged_cursors_are_invalid_input(cursor):
    with pytest.raises(BadRequest) as caught:
        decode_cursor(cursor, 2)
    assert "cursor" in caught.value.errors


def test_a_cursor_decodes_to_the_values_it_encodes():
    values = [START, "id-1", 7]
    assert decode_cursor(encode_cursor(values), 3) == values


FORGED = [[{"d": "2026-01-01"}, "a"], [123, "a"], [{"t": "2026-01-01T00:00:00Z"}, 5],
          [{"n": "NaN"}, "a"], [{"n": "1e999999"}, "a"], ["2026-01-01T00:00:00Z", "a"]]


@pytest.mark.parametrize("values", FORGED, ids=[str(v) for v in FORGED])
def test_a_cursor_whose_values_do_not_fit_the_key_is_invalid_input(conn, values):
    with pytest.raises(BadRequest) as caught:
        page(conn, sa.select(rows), [rows.c.created_at, rows.c.id], 4, encode_cursor(values))
    assert "cursor" in caught.value.errors


@pytest.mark.parametrize("text", ['[NaN,"a"]', '[1e999999,"a"]', '[Infinity,"a"]'])
def test_a_cursor_with_numbers_json_does_not_have_is_invalid_input(conn, text):
    import base64
    cursor = base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")
    with pytest.raises(BadRequest):
        page(conn, sa.select(rows), [rows.c.created_at, rows.c.id], 4, cursor)
