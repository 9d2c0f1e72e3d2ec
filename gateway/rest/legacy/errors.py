"""The v1 and v2 404: ``{"error": "Resource not found"}`` (their documents' ``NotFoundResponse``, ECF1's
``Api::ApiController``), where v3 answers its ``errors`` list. Every other error is rendered as v3 renders it:
the v1 and v2 documents show the same 400 and 401 bodies, and the live service sends the same 422 list."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import wraps

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.domain.errors import NotFound
from gateway.responses import OrjsonResponse

NOT_FOUND_BODY = {"error": "Resource not found"}

Endpoint = Callable[[Request], Awaitable[Response]]


def not_found() -> Response:
    return OrjsonResponse(NOT_FOUND_BODY, status_code=404)


def legacy_errors(endpoint: Endpoint) -> Endpoint:
    """``endpoint`` with a record it cannot find (or may not show) answered in the v1/v2 shape."""

    @wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        try:
            return await endpoint(request)
        except NotFound:
            return not_found()

    return wrapped


ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


async def unknown_path(request: Request) -> Response:
    """The last route of a version (any method): a path no route serves is the version's 404; a served path asked
    with another method stays the 405 every face answers, with the methods its routes serve."""
    allowed = _methods_served(request)
    if allowed:
        body = {
            "errors": [
                {"title": "Method not allowed", "detail": f"{request.method} is not supported on {request.url.path}"}
            ]
        }
        return OrjsonResponse(body, status_code=405, headers={"Allow": ", ".join(sorted(allowed))})
    return not_found()


def _methods_served(request: Request) -> set[str]:
    methods: set[str] = set()
    for route in request.app.router.routes:
        serves = isinstance(route, Route) and route.endpoint is not unknown_path and route.methods
        if serves and route.path_regex.match(request.scope["path"]):
            methods |= route.methods
    return methods
