"""The show endpoint every resource with a plain ``/{id}`` path shares: parse the id, get the row as the caller, serialise."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection
from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.rest import rendering
from gateway.rest.params import path_id
from gateway.rest.rendering import Serializer

Getter = Callable[[AsyncConnection, Caller, uuid.UUID], Awaitable[Any]]


def show_by_id(get: Getter, serializer: Serializer) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint answering ``get``'s row for the path's id (``get`` raises ``NotFound``), as ``serializer`` renders it."""

    async def endpoint(request: Request) -> Response:
        record_id = path_id(request.path_params["id"])
        async with read_connection() as conn:
            row = await get(conn, rendering.request_caller(request), record_id)
        return rendering.one(row, serializer)

    return endpoint
