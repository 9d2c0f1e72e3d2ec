"""/graphql: GraphQL over HTTP (POST, and GET with the query in the URL) and GraphiQL for browsers."""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.types.graphql import OperationType

from gateway.access_log import COMPILED, NORMAL, graphql_answered, operation_name_of
from gateway.authentication import caller_of
from gateway.db.engine import read_connection
from gateway.graphql.compiled import CompiledExecutor
from gateway.graphql.context import Context
from gateway.graphql.errors import raise_if_unavailable
from gateway.graphql.schema import schema
from gateway.pages import graphiql_page
from gateway.request_ids import request_id_of
from gateway.responses import dumps

UNAUTHENTICATED_BODY = dumps(
    {"data": None, "errors": [{"message": "HTTP Token: Access denied", "extensions": {"code": "UNAUTHENTICATED"}}]}
)


def request_error(exc: HTTPException) -> Response:
    """A request Strawberry refused before running it (unparsable body, no query...), as a GraphQL response.

    Strawberry answers these in plain text; clients of a JSON API should not need a second parser
    for its errors. No ``data`` entry: the request never ran (GraphQL over HTTP, request errors).
    """
    code = "NOT_FOUND" if exc.status_code == 404 else "BAD_USER_INPUT"
    body = dumps({"errors": [{"message": exc.reason, "extensions": {"code": code}}]})
    return Response(body, status_code=exc.status_code, media_type="application/json")


class GatewayGraphQL(GraphQL):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope=scope, receive=receive))
        except HTTPException as exc:
            response = request_error(exc)
        await response(scope, receive, send)

    async def get_context(self, request: Request, response: Any) -> Context:  # type: ignore[override]
        state = request.scope["state"]
        if "conn" not in state:  # serving the GraphiQL page: no operation will run
            return None  # type: ignore[return-value]
        return Context(caller=state["caller"], conn=state["conn"], request_id=request_id_of(request.scope))

    def encode_json(self, data: object) -> bytes:  # type: ignore[override]
        return dumps(data)

    async def process_result(self, request, result):  # type: ignore[override]
        raise_if_unavailable(result.errors)  # answered 503 by gateway.http_errors.DatabaseUnavailableMiddleware
        return await super().process_result(request, result)

    compiled: CompiledExecutor | None = None
    """Answers the reads it can compile (gateway/graphql/compiled); None: every operation runs through Strawberry."""

    async def execute_single(self, request, request_adapter, sub_response, context, root_value, request_data):  # type: ignore[override]  # noqa: ANN001
        method = request_adapter.method
        allowed = OperationType.from_http(method) - (
            set() if self.allow_queries_via_get or method != "GET" else {OperationType.QUERY}
        )
        name = operation_name_of(request_data.query, request_data.operation_name)
        if self.compiled is not None and (
            result := await self.compiled.execute(request_data, context, root_value, allowed)
        ):
            graphql_answered(request.scope, name, COMPILED)
            return result
        graphql_answered(request.scope, name, NORMAL)
        return await super().execute_single(request, request_adapter, sub_response, context, root_value, request_data)


# graphql_ide=None: browsers get the gateway's own GraphiQL page (gateway/pages.py), never Strawberry's CDN one.
_graphql = GatewayGraphQL(schema, graphql_ide=None, allow_queries_via_get=True)
_graphql.compiled = CompiledExecutor.from_settings(schema)


def _wants_graphiql(scope: Scope) -> bool:
    if scope["method"] != "GET" or b"query=" in scope.get("query_string", b""):
        return False
    accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"")
    return b"text/html" in accept


class GraphQLEndpoint:
    """An ASGI app (not a request function), so Strawberry reads the request itself."""

    def __init__(self, view: GatewayGraphQL = _graphql) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The GraphiQL page itself holds no data; the browser sends the token with each query it runs.
        if _wants_graphiql(scope):
            await graphiql_page()(scope, receive, send)
            return
        if caller_of(scope) is None:
            await Response(UNAUTHENTICATED_BODY, status_code=401, media_type="application/json")(scope, receive, send)
            return
        state = scope.setdefault("state", {})
        async with read_connection() as conn:
            state["conn"] = conn
            await self.view(scope, receive, send)


def graphql_routes() -> list[BaseRoute]:
    return [Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"])]
