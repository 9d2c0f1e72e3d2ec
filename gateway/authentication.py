"""Bearer tokens to callers, once per request, for both faces.

The middleware resolves ``Authorization: Bearer <token>`` to a domain
``Caller`` and leaves it in ``scope["state"]["caller"]`` (``None`` when the
token is missing or unknown). The REST face refuses such requests with the
published 401 here; GraphQL answers its own way (an ``UNAUTHENTICATED`` error).

The same statement counts the request against the token's rate limit
(gateway.domain.rate_limits), so a read request still costs one round trip
before its route runs; a request over the limit is answered 429 here.
"""

from __future__ import annotations

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway.db.engine import read_connection
from gateway.domain import rate_limits, tokens
from gateway.domain.callers import Caller
from gateway.rate_limiting import send_too_many_requests
from gateway.rest.documents import OPENAPI_DOCUMENTS

ACCESS_DENIED_BODY = orjson.dumps({"error": "HTTP Token: Access denied"})
REST_PREFIX = "/api/"
GRAPHQL_PATH = "/graphql"
# Public information (DfE publishes its Swagger docs): the OpenAPI documents and the docs page need no token.
PUBLIC_PATHS = frozenset({path for _name, path in OPENAPI_DOCUMENTS} | {"/api/docs"})


def bearer_token(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and token.strip():
                return token.strip()
            return None
    return None


def caller_of(scope: Scope) -> Caller | None:
    return scope.get("state", {}).get("caller")


class AuthenticationMiddleware:
    def __init__(self, app: ASGIApp, *, rate_limit: int) -> None:
        self.app = app
        self.rate_limit = rate_limit
        """Requests per token and window; 0: not counted."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        # The OpenAPI document is public information (DfE publishes its Swagger docs): no token needed.
        if not (path.startswith(REST_PREFIX) or path.rstrip("/") == GRAPHQL_PATH) or path in PUBLIC_PATHS:
            await self.app(scope, receive, send)
            return
        token = bearer_token(scope)
        caller = counted = None
        now = rate_limits.real_now()
        if token:
            async with read_connection() as conn:
                if self.rate_limit:
                    found = await rate_limits.authenticate_and_count(conn, token, limit=self.rate_limit, at=now)
                    caller, counted = found or (None, None)
                else:
                    caller = await tokens.authenticate(conn, token)
        scope.setdefault("state", {})["caller"] = caller
        if caller is None and path.startswith(REST_PREFIX):
            await send(
                {"type": "http.response.start", "status": 401, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": ACCESS_DENIED_BODY})
            return
        if counted is not None and counted.over_limit:
            await send_too_many_requests(send, counted, now=now, graphql=not path.startswith(REST_PREFIX))
            return
        await self.app(scope, receive, send)
