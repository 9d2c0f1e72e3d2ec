"""The JSON:API-like envelope of the published API: ``{"data": ...}``, no links, no meta."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from starlette.requests import Request

from gateway.authentication import caller_of
from gateway.domain.callers import Caller
from gateway.domain.errors import Unauthenticated
from gateway.responses import OrjsonResponse

Serializer = Callable[[Any], dict[str, Any]]


def many(rows: Iterable[Any], serializer: Serializer) -> OrjsonResponse:
    return OrjsonResponse({"data": [serializer(row) for row in rows]})


def one(row: Any, serializer: Serializer) -> OrjsonResponse:
    return OrjsonResponse({"data": serializer(row)})


def resource(type_: str, id_: Any, attributes: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(id_), "type": type_, "attributes": attributes}


def request_caller(request: Request) -> Caller:
    caller = caller_of(request.scope)
    if caller is None:  # the middleware already refused these; this keeps handlers honest
        raise Unauthenticated()
    return caller
