"""Keyset cursors (gateway.domain.paging): what a client sends back must be one we could have made."""

from __future__ import annotations

import base64
import uuid
from datetime import UTC, datetime

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.dialects import sqlite

from gateway.db.tables import Declaration, table_of
from gateway.domain.declarations.queries import SORTABLE as DECLARATIONS_SORTABLE
from gateway.domain.errors import BadRequest
from gateway.domain.paging import KeysetPage, SortKey, decode_cursor, encode_cursor, windowed
from gateway.domain.participants.queries import SORTABLE

BY_CREATED_AT = [SortKey("created_at")]
AN_ID = uuid.UUID("9e67cd00-d0ed-484b-a129-cf23c8f2b649")
_declarations = table_of(Declaration)


def _cursor(raw: list) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(raw)).decode()


class TestDecodeCursor:
    def test_reads_back_the_values_a_cursor_was_made_of(self):
        values = (datetime(2024, 2, 25, 13, 36, 54, tzinfo=UTC), AN_ID)
        assert decode_cursor(encode_cursor(values), SORTABLE, BY_CREATED_AT) == values

    def test_a_date_time_with_an_offset_is_read_in_utc(self):
        (moment, _) = decode_cursor(_cursor(["2024-01-01T01:00:00+01:00", str(AN_ID)]), SORTABLE, BY_CREATED_AT)
        assert moment == datetime(2024, 1, 1, tzinfo=UTC)
        assert moment.tzinfo is UTC

    @pytest.mark.parametrize(
        "raw",
        [
            ["2024-01-01T00:00:00Z", 5],  # an id that is not text: uuid.UUID raised AttributeError (500)
            ["0001-01-01T00:00:00+14:00", str(AN_ID)],  # before year 1 in UTC: OverflowError (500)
            ["9999-12-31T23:59:59-14:00", str(AN_ID)],  # after year 9999 in UTC
            ["2024-01-01T00:00:00Z"],  # too few values for the order
            [None, str(AN_ID)],  # no sortable column is null: "created_at > NULL" raised ArgumentError (500)
            ["yesterday", str(AN_ID)],
        ],
    )
    def test_a_cursor_we_could_not_have_made_is_a_bad_request(self, raw):
        with pytest.raises(BadRequest) as refused:
            decode_cursor(_cursor(raw), SORTABLE, BY_CREATED_AT)
        assert refused.value.detail == "The 'after' cursor is not valid for this list and order"


class TestAfter:
    """Where a keyset page starts: in an ascending order, one comparison an index serves as a range."""

    AFTER = (datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), AN_ID)

    def _sql(self, keys: list[SortKey]) -> str:
        page = KeysetPage(size=10, after=self.AFTER)
        stmt = windowed(select(_declarations.c.id), DECLARATIONS_SORTABLE, _declarations.c.id, keys, page)
        return str(stmt.compile(dialect=sqlite.dialect()))

    def test_an_ascending_order_starts_after_one_row_value(self):
        sql = self._sql([SortKey("created_at")])
        assert "(declarations.created_at, declarations.id) > (?, ?)" in sql
        assert " OR " not in sql

    def test_a_descending_key_starts_after_the_lexicographic_chain(self):
        sql = self._sql([SortKey("created_at", descending=True)])
        assert "declarations.created_at < ? OR declarations.created_at = ? AND declarations.id > ?" in sql
