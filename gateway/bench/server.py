"""The app as `gateway bench` serves it: the normal app plus three bench-only routes, never mounted otherwise.

- ``/graphql`` as in production (compiled execution, unless turned off);
- ``/bench/graphql-normal``: the same schema through Strawberry's normal execution only;
- ``/bench/floor/sync`` and ``/bench/floor/participant``: the floor (gateway.bench.floor);
- every response carries ``x-bench-statements``: the SQL statements the server ran since the request
  began (the bench sends these requests one at a time when it reads them).
"""

from __future__ import annotations

import uuid

from sqlalchemy import event
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.app import create_app
from gateway.authentication import bearer_token
from gateway.bench import floor
from gateway.db.engine import get_engine, read_connection
from gateway.domain import tokens
from gateway.domain.callers import Caller
from gateway.graphql.endpoint import GatewayGraphQL, GraphQLEndpoint
from gateway.graphql.schema import schema
from gateway.responses import OrjsonResponse

NORMAL_PATH = "/bench/graphql-normal"
FLOOR_SYNC = "/bench/floor/sync"
FLOOR_PARTICIPANT = "/bench/floor/participant"


async def _authenticate(scope: Scope) -> Caller | None:
    """What AuthenticationMiddleware does for /graphql and /api (it leaves these bench paths alone)."""
    token = bearer_token(scope)
    caller = None
    if token:
        async with read_connection() as conn:
            caller = await tokens.authenticate(conn, token)
    scope.setdefault("state", {})["caller"] = caller
    return caller


class _NormalGraphQL:
    """/graphql with compiled execution off: the production endpoint over a view of its own."""

    def __init__(self) -> None:
        view = GatewayGraphQL(schema, graphql_ide=None, allow_queries_via_get=True)
        view.compiled = None
        self.endpoint = GraphQLEndpoint(view)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await _authenticate(scope)  # the endpoint answers 401 when this found no caller
        await self.endpoint(scope, receive, send)


async def _floor_sync(request: Request) -> Response:
    caller = await _authenticate(request.scope)
    if caller is None or caller.lead_provider_id is None:
        return Response(status_code=401)
    async with read_connection() as conn:
        return OrjsonResponse(
            await floor.sync_page(conn, caller.lead_provider_id, int(request.query_params.get("first", "1000")))
        )


async def _floor_participant(request: Request) -> Response:
    caller = await _authenticate(request.scope)
    if caller is None or caller.lead_provider_id is None:
        return Response(status_code=401)
    async with read_connection() as conn:
        return OrjsonResponse(
            await floor.participant(conn, caller.lead_provider_id, uuid.UUID(request.query_params["id"]))
        )


class _StatementCount:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.statements = 0
        event.listen(get_engine().sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args) -> None:
        self.statements += 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = self.statements

        async def counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-bench-statements", str(self.statements - start).encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, counted)


def create_bench_app() -> ASGIApp:
    # Rate limit off: the bench fires thousands of requests with one token within minutes, far past the
    # published 1,000 per five minutes, and throttled answers would be timed instead of the read paths. Off
    # rather than high, so /graphql authenticates as the bench-only paths above do (one SELECT, no counting
    # write) and the paths it compares differ only in how they read.
    app: Starlette = create_app(rate_limit=0)
    app.router.routes.extend(
        [
            Route(NORMAL_PATH, _NormalGraphQL(), methods=["POST"]),
            Route(FLOOR_SYNC, _floor_sync, methods=["GET"]),
            Route(FLOOR_PARTICIPANT, _floor_participant, methods=["GET"]),
        ]
    )
    return _StatementCount(app)
