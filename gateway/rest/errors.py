"""Domain errors in the REST API's published shapes, mapped once (handlers found by class)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.authentication import ACCESS_DENIED_BODY
from gateway.domain.errors import BadRequest, Forbidden, NotFound, Unauthenticated, ValidationFailed
from gateway.http_errors import NOT_FOUND_BODY
from gateway.responses import OrjsonResponse


async def not_found(_request: Request, _exc: NotFound) -> Response:
    return OrjsonResponse(NOT_FOUND_BODY, status_code=404)


async def bad_request(_request: Request, exc: BadRequest) -> Response:
    return OrjsonResponse({"errors": [{"title": exc.title, "detail": exc.detail}]}, status_code=400)


async def validation_failed(_request: Request, exc: ValidationFailed) -> Response:
    return OrjsonResponse(
        {"errors": [{"title": e.attribute, "detail": e.message} for e in exc.errors]}, status_code=422
    )


async def unauthenticated(_request: Request, _exc: Unauthenticated) -> Response:
    return Response(ACCESS_DENIED_BODY, status_code=401, media_type="application/json")


async def forbidden(_request: Request, exc: Forbidden) -> Response:
    return OrjsonResponse({"errors": [{"title": "Forbidden", "detail": str(exc)}]}, status_code=403)


def rest_exception_handlers() -> dict:
    return {
        NotFound: not_found,
        BadRequest: bad_request,
        ValidationFailed: validation_failed,
        Unauthenticated: unauthenticated,
        Forbidden: forbidden,
    }
