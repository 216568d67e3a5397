"""core.bulksql: rows travel as one array literal per column and come back exactly as sent (PostgreSQL)."""

import json
import uuid
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from django.db import connection

from core.bulksql import array_literal, values_sql

pytestmark = pytest.mark.django_db

AWKWARD_TEXT = ["", " padded ", 'say "hi"', "back\\slash", "\\", '"', "{braces}", "a,b", "NULL", "null", "ünïcödé ✓",
                "line\nbreak", "tab\there", "'single'", "trailing\\", "{", "}"]


def _round_trip(casts, rows):
    sql, params = values_sql(casts, rows)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_text_with_quotes_backslashes_braces_and_null_words_comes_back_unchanged():
    rows = [(i, text) for i, text in enumerate(AWKWARD_TEXT)] + [(99, None)]
    assert _round_trip(["bigint", "text"], rows) == rows


def test_every_kind_of_value_comes_back_unchanged():
    when = datetime(2026, 3, 10, 9, 30, 15, 123456, tzinfo=UTC)
    elsewhere = datetime(2026, 3, 10, 1, 0, tzinfo=timezone(timedelta(hours=-8)))
    ident = uuid.UUID(int=12345)
    rows = [(1, True, when, date(2026, 2, 28), ident, '{"a": "b \\"c\\""}', "x"),
            (2, False, elsewhere, None, None, None, None),
            (3, None, None, date(2024, 2, 29), uuid.uuid4(), "[]", "")]
    back = _round_trip(["bigint", "boolean", "timestamptz", "date", "uuid", "jsonb", "varchar"], rows)
    # jsonb comes back as text through a raw cursor: compare what it means
    assert [(*r[:5], _json(r[5]), r[6]) for r in back] == [(*r[:5], _json(r[5]), r[6]) for r in rows]


def _json(value):
    return None if value is None else json.loads(value)


def test_no_rows_is_an_empty_relation():
    assert _round_trip(["bigint", "text"], []) == []


def test_the_literal_quotes_every_element():
    assert array_literal(["a", None, 3, True]) == '{"a",NULL,"3",t}'
