"""JSON responses serialised with orjson (UUIDs, dates and datetimes natively).

One timestamp format for every face: RFC 3339 in UTC to the second with a ``Z``
(``2026-12-01T19:29:17Z``), as ECF1's serializers write them (``rfc3339``),
whether the row was seeded on the second or written a moment ago with
microseconds. Stored values keep their precision; the fraction is cut, never
rounded up, so a client that re-reads with ``updated_since`` set to the last
second it saw (the filter is inclusive) gets that row again rather than missing it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import orjson
from starlette.responses import Response

# "Z" rather than "+00:00", and no fraction of a second: rfc3339() below, for orjson.
ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_NON_STR_KEYS


def rfc3339(moment: datetime) -> str:
    """A date-time as every face sends it (the module's docstring): ``2026-12-01T19:29:17Z``."""
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _default(value: Any) -> Any:
    # asyncpg returns its own UUID subclass, which orjson does not recognise as a UUID.
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, default=_default, option=ORJSON_OPTIONS)


class OrjsonResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
