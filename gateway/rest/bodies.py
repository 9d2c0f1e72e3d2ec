"""Request bodies of the published API: ``{"data": {"type": ..., "attributes": {...}}}``."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request

from gateway.domain.errors import BadRequest

MAX_BODY_BYTES = 1024 * 1024
TOO_LARGE = f"The request body must not exceed {MAX_BODY_BYTES // (1024 * 1024)} MB"


def bad_body() -> BadRequest:
    return BadRequest("Bad request", "correct json data structure required. See API docs for reference")


async def attributes(request: Request) -> dict[str, Any]:
    """The ``attributes`` object of the body; unknown attributes are left for the action to ignore."""
    declared = request.headers.get("content-length")
    # isdigit() alone admits superscripts ("\xb2" read as latin-1), which int() refuses; the stream below still counts.
    if declared is not None and declared.isascii() and declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise HTTPException(status_code=413, detail=TOO_LARGE)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_BODY_BYTES:
            raise HTTPException(status_code=413, detail=TOO_LARGE)
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise bad_body() from None
    data = document.get("data") if isinstance(document, dict) else None
    found = data.get("attributes") if isinstance(data, dict) else None
    if not isinstance(found, dict):
        raise bad_body()
    return found


def text(attributes: dict[str, Any], name: str) -> str | None:
    """An attribute as the text the domain checks: numbers as written (``2021`` -> ``"2021"``); a list or
    an object as its JSON, so it fails the action's checks as an unknown value rather than crashing them."""
    value = attributes.get(name)
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return orjson.dumps(value).decode()
