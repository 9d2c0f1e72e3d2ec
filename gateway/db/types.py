"""Column types that behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Uuid
from sqlalchemy.types import TypeDecorator

_new_uuid = object.__new__
_set = object.__setattr__
_UNKNOWN = uuid.SafeUUID.unknown


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC in Python on both databases.

    PostgreSQL stores ``timestamptz``, which asyncpg already reads as UTC (no
    processing of ours on the way out); SQLite has no zones, so values are stored
    as naive UTC and given their zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    @property
    def python_type(self) -> type[datetime]:
        # Keyset cursors type their values by the column's python_type.
        return datetime

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)

    def result_processor(self, dialect, coltype):
        if dialect.driver == "asyncpg":
            # asyncpg reads timestamptz in the binary protocol: microseconds since 2000-01-01 UTC, decoded as an
            # aware datetime in datetime.timezone.utc whatever the session's TimeZone (asyncpg/pgproto's
            # timestamptz_decode; tests/db/test_types.py). process_result_value would only copy each one
            # (astimezone to the zone it is in), about 24,000 times on a sync page. Not true of every driver
            # (psycopg answers in the session's zone), hence the asyncpg test. Only 'infinity' (asyncpg's encoding
            # of datetime.max, which the gateway never stores) would read back naive.
            return self.impl_instance.result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return super().result_processor(dialect, coltype)
        # SQLite hands back the naive UTC text SQLAlchemy wrote: parsed and given its zone in one step
        # instead of SQLAlchemy's parser followed by process_result_value (a sync page reads ~20,000).
        parse, utc = datetime.fromisoformat, UTC
        default = super().result_processor(dialect, coltype)

        def process(value: Any) -> datetime | None:
            if value.__class__ is str:
                return parse(value).replace(tzinfo=utc)
            return value if default is None else default(value)

        return process


class FastUuid(Uuid):
    """``Uuid`` that reads SQLite's 32 hex characters into ``uuid.UUID`` without ``uuid``'s parsing.

    Measured on a 1000-participant sync page: about 55,000 ids are read per
    request, and ``uuid.UUID(hex)`` (pure Python, validating its input) was the
    biggest single cost of the request on SQLite. The column only ever holds
    what ``Uuid`` wrote (``UUID.hex``), so the integer is all there is to read.
    PostgreSQL returns native UUIDs and keeps ``Uuid``'s own processing.
    """

    cache_ok = True

    def result_processor(self, dialect, coltype):
        if dialect.supports_native_uuid and self.native_uuid:
            return super().result_processor(dialect, coltype)

        def process(value: str | None) -> uuid.UUID | None:
            if value is None:
                return None
            if len(value) != 32:  # not written by Uuid: let uuid parse (and check) it
                return uuid.UUID(value)
            found = _new_uuid(uuid.UUID)
            _set(found, "int", int(value, 16))
            _set(found, "is_safe", _UNKNOWN)
            return found

        return process
