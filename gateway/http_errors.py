"""Errors outside any one face: unknown paths, wrong methods, the database away, and the unexpected.

Every one is JSON; an unexpected exception is logged with the request id and
answered without a trace or SQL.

The database away (gateway.db.faults: unreachable, too slow, out of connections)
is a 503 with ``Retry-After`` in the face's own format, wherever in the request it
happened (counting the rate limit, a route, a GraphQL resolver), and the
connection stays open for the client's next request. An unexpected exception is a
500 that says ``Connection: close``: uvicorn closes the connection after it, and a
client must not send its next request into a closed socket.
"""

from __future__ import annotations

import logging

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.db.faults import fault_name, is_unavailable
from gateway.request_ids import request_id_of
from gateway.responses import OrjsonResponse

log = logging.getLogger("gateway")

NOT_FOUND_BODY = {
    "errors": [
        {"title": "The requested resource was not found", "detail": "Nothing could be found for the provided details"}
    ]
}


SERVICE_UNAVAILABLE = "Service unavailable"
RETRY_AFTER_SECONDS = 5
"""What a 503 asks a client to wait: long enough for a restarted database or a failover, short enough for a retry."""
REST_UNAVAILABLE_BODY = orjson.dumps({"error": SERVICE_UNAVAILABLE})
GRAPHQL_UNAVAILABLE_BODY = orjson.dumps(
    {"errors": [{"message": SERVICE_UNAVAILABLE, "extensions": {"code": "SERVICE_UNAVAILABLE"}}]}
)
GRAPHQL_PATH = "/graphql"


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
    return OrjsonResponse(body, status_code=500, headers={"X-Request-Id": rid, "Connection": "close"})


async def send_service_unavailable(scope: Scope, send: Send) -> None:
    graphql = scope["path"].rstrip("/") == GRAPHQL_PATH
    headers = [
        (b"content-type", b"application/json"),
        (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
    ]
    await send({"type": "http.response.start", "status": 503, "headers": headers})
    await send({"type": "http.response.body", "body": GRAPHQL_UNAVAILABLE_BODY if graphql else REST_UNAVAILABLE_BODY})


class DatabaseUnavailableMiddleware:
    """The outermost middleware of the app: a database fault raised anywhere inside becomes the 503.

    Outside the authentication middleware, which reads the database before any route (and whose
    exceptions Starlette's route handlers never see). A fault after the response started cannot change
    its status; it goes on to the server like any other error.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            if started or not is_unavailable(exc):
                raise
            # The exception's type only: SQLAlchemy's message carries the statement and its parameters.
            log.warning(
                "database unavailable, answered 503 (request %s): %s",
                request_id(Request(scope)),
                fault_name(exc),
            )
            await send_service_unavailable(scope, send)
