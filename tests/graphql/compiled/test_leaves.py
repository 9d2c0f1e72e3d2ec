"""The projection's leaves: whatever a leaf hands the encoder, the answer's text is the scalar's own.

A ``DateTime`` in UTC, a ``Date`` and a ``uuid.UUID`` reach ``gateway.responses.dumps`` as objects (orjson writes
them); every other value is converted by the projection. Either way the bytes are what the normal path, which calls
the scalar's serialiser, writes.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from asyncpg.pgproto.pgproto import UUID as AsyncpgUUID

from gateway.graphql.compiled.codegen import _Writer
from gateway.graphql.schema import schema
from gateway.responses import dumps

_TYPES = schema._schema.type_map


class _UtcSubclass(datetime):
    pass


def _projected(type_name: str, value: Any) -> bytes:
    """``value`` through the compiled leaf of ``type_name``, then the encoder every answer goes through."""
    writer = _Writer()
    namespace = dict(writer.namespace)
    expression = writer.leaf("value", _TYPES[type_name])  # names its constants in writer.namespace
    namespace.update(writer.namespace)
    return dumps(eval(f"lambda value: {expression}", namespace)(value))  # the codegen's own expression


def _serialised(type_name: str, value: Any) -> bytes:
    """What the normal path writes: the scalar's serialiser, then the same encoder."""
    return dumps(_TYPES[type_name].serialize(value))  # type: ignore[attr-defined]  # a scalar type


class TestDateTimeLeaf:
    @pytest.mark.parametrize(
        ("moment", "text"),
        [
            (datetime(2026, 12, 1, 19, 29, 17, 793481, tzinfo=UTC), "2026-12-01T19:29:17Z"),
            (datetime(2026, 12, 1, 19, 29, 17, tzinfo=UTC), "2026-12-01T19:29:17Z"),
            (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00Z"),
            (datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC), "9999-12-31T23:59:59Z"),
        ],
        ids=["microseconds", "on the second", "first year", "last moment"],
    )
    def test_a_moment_in_utc_reads_to_the_second_with_a_z(self, moment, text):
        assert _projected("DateTime", moment) == _serialised("DateTime", moment) == f'"{text}"'.encode()

    @pytest.mark.parametrize(
        "moment",
        [
            datetime(2026, 12, 1, 20, 29, 17, 999999, tzinfo=timezone(timedelta(hours=1))),
            datetime(2026, 7, 1, 20, 29, 17, tzinfo=ZoneInfo("Europe/London")),
            datetime(2026, 12, 1, 19, 29, 17, 500000, tzinfo=ZoneInfo("UTC")),
            datetime(2026, 12, 1, 13, 59, 17, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
        ],
        ids=["+01:00", "Europe/London in summer", "zoneinfo UTC", "-05:30"],
    )
    def test_a_moment_in_another_zone_reads_in_utc_as_the_scalar_writes_it(self, moment):
        assert _projected("DateTime", moment) == _serialised("DateTime", moment)
        assert _projected("DateTime", moment).endswith(b'Z"')

    def test_a_subclass_of_datetime_reads_as_the_scalar_writes_it(self):
        moment = _UtcSubclass(2026, 12, 1, 19, 29, 17, 250000, tzinfo=UTC)

        assert _projected("DateTime", moment) == _serialised("DateTime", moment) == b'"2026-12-01T19:29:17Z"'


class TestDateLeaf:
    @pytest.mark.parametrize("day", [date(2025, 9, 1), date(1, 1, 1), date(9999, 12, 31)], ids=str)
    def test_a_date_reads_as_its_iso_format(self, day):
        assert _projected("Date", day) == _serialised("Date", day) == f'"{day.isoformat()}"'.encode()

    def test_a_datetime_where_a_date_is_declared_reads_as_the_scalar_writes_it(self):
        moment = datetime(2025, 9, 1, 10, 15, tzinfo=UTC)

        assert _projected("Date", moment) == _serialised("Date", moment) == b'"2025-09-01T10:15:00+00:00"'


class TestIdLeaf:
    @pytest.mark.parametrize(
        "value",
        [
            uuid.UUID("0b7e2d3c-4f5a-4b6c-8d9e-0f1a2b3c4d5e"),
            AsyncpgUUID("0b7e2d3c-4f5a-4b6c-8d9e-0f1a2b3c4d5e"),
            "0b7e2d3c-4f5a-4b6c-8d9e-0f1a2b3c4d5e",
        ],
        ids=["uuid.UUID", "asyncpg's UUID", "text"],
    )
    def test_an_id_reads_as_its_hyphenated_text(self, value):
        assert _projected("ID", value) == _serialised("ID", value) == b'"0b7e2d3c-4f5a-4b6c-8d9e-0f1a2b3c4d5e"'

    def test_an_integer_id_reads_as_text(self):
        assert _projected("ID", 7) == _serialised("ID", 7) == b'"7"'
