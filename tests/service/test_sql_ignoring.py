"""``ponte.sql``'s inserts that ignore duplicates: the same rows and answers as the dialects'
``ON CONFLICT DO NOTHING``, compiled once and then found in SQLAlchemy's cache (issue 21: the
dialects' own construct is compiled again at every execution), on both databases."""
from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa

from ponte.db import create_engine_for
from ponte.sql import insert_ignoring_duplicates, insert_new_rows

metadata = sa.MetaData()
marks = sa.Table("sql_ignoring_marks", metadata,
                 sa.Column("id", sa.String, primary_key=True),
                 sa.Column("text", sa.String, nullable=False))


@pytest.fixture(params=["postgresql", "sqlite"])
def engine(request, postgres_databases, tmp_path):
    engine = create_engine_for("sqlignoring") if request.param == "postgresql" \
        else sa.create_engine(f"sqlite:///{tmp_path}/ignoring.db")
    metadata.drop_all(engine)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


def cache_use(engine: sa.Engine) -> list[str]:
    """How SQLAlchemy found each INSERT's SQL: ``CACHE_MISS``, ``CACHE_HIT``, ``NO_CACHE_KEY``."""
    seen: list[str] = []
    sa.event.listen(engine, "after_cursor_execute",
                    lambda conn, cursor, statement, params, context, many: seen.append(
                        context.cache_hit.name) if statement.startswith("INSERT") else None)
    return seen


def test_new_rows_come_back_by_key_and_a_duplicate_is_left_as_it_was(engine):
    first, second, third = (str(uuid.uuid4()) for _ in range(3))
    with engine.begin() as conn:
        assert insert_new_rows(conn, marks, [{"id": first, "text": "um"}], marks.c.id) == {first}
        assert insert_new_rows(conn, marks, [{"id": first, "text": "outro"},
                                             {"id": second, "text": "dois"},
                                             {"id": third, "text": "três"}],
                               marks.c.id) == {second, third}
        assert insert_ignoring_duplicates(conn, marks, id=second, text="de novo") == 0
        assert insert_ignoring_duplicates(conn, marks, id="quatro", text="quatro") == 1
    with engine.connect() as conn:
        rows = dict(conn.execute(sa.select(marks.c.id, marks.c.text)).all())
    assert rows == {first: "um", second: "dois", third: "três", "quatro": "quatro"}


def test_the_statements_are_compiled_once(engine):
    seen = cache_use(engine)
    for _ in range(3):
        with engine.begin() as conn:
            insert_new_rows(conn, marks, [{"id": str(uuid.uuid4()), "text": "a"},
                                          {"id": str(uuid.uuid4()), "text": "b"}], marks.c.id)
            insert_ignoring_duplicates(conn, marks, id=str(uuid.uuid4()), text="c")
    assert seen == ["CACHE_MISS", "CACHE_MISS"] + ["CACHE_HIT", "CACHE_HIT"] * 2


def test_a_plain_insert_of_the_same_table_is_not_taken_for_it(engine):
    """The cache keys differ: a plain INSERT still fails on a duplicate."""
    key = str(uuid.uuid4())
    with engine.begin() as conn:
        insert_ignoring_duplicates(conn, marks, id=key, text="a")
        insert_ignoring_duplicates(conn, marks, id=key, text="a")
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(marks.insert(), {"id": key, "text": "a"})
