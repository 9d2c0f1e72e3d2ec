"""JSON responses serialised with orjson (UUIDs, dates and datetimes natively)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from starlette.responses import Response

# UTC datetimes render with a "Z" rather than "+00:00", as the published API does.
ORJSON_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


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
