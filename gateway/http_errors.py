"""Errors outside any one face: unknown paths, wrong methods, and the unexpected.

Every one is JSON; an unexpected exception is logged with the request id and
answered without a trace or SQL.
"""

from __future__ import annotations

import logging

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.request_ids import request_id_of
from gateway.responses import OrjsonResponse

log = logging.getLogger("gateway")

NOT_FOUND_BODY = {
    "errors": [
        {"title": "The requested resource was not found", "detail": "Nothing could be found for the provided details"}
    ]
}


def request_id(request: Request) -> str:
    return request_id_of(request.scope)


def allowed_methods(request: Request) -> str:
    """Every method some route serves on this path.

    Starlette's router answers 405 with the methods of the first route whose path
    matched, but a path's methods are often split over routes (GET and POST of
    ``/participant-declarations`` have their own handlers), so ask all of them.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        if isinstance(route, Route) and route.methods and route.path_regex.match(request.scope["path"]):
            methods |= route.methods
    return ", ".join(sorted(methods))


async def http_exception(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return OrjsonResponse(NOT_FOUND_BODY, status_code=404)
    if exc.status_code == 405:
        body = {
            "errors": [
                {"title": "Method not allowed", "detail": f"{request.method} is not supported on {request.url.path}"}
            ]
        }
        return OrjsonResponse(body, status_code=405, headers={"Allow": allowed_methods(request)})
    if exc.status_code == 413:
        body = {"errors": [{"title": "Payload too large", "detail": exc.detail}]}
        return OrjsonResponse(body, status_code=413)
    return OrjsonResponse(
        {"errors": [{"title": "Bad request", "detail": str(exc.detail)}]}, status_code=exc.status_code
    )


async def unexpected_exception(request: Request, exc: Exception) -> Response:
    rid = request_id(request)
    log.exception("unhandled error (request %s)", rid, exc_info=exc, extra={"request_id": rid})
    body = {
        "errors": [
            {
                "title": "Internal server error",
                "detail": f"Something went wrong. Quote request id {rid} if you contact us.",
            }
        ]
    }
    # Rendered outside RequestIdMiddleware (Starlette's error middleware is outermost): echo the id here.
    return OrjsonResponse(body, status_code=500, headers={"X-Request-Id": rid})
