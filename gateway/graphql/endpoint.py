"""/graphql: GraphQL over HTTP (POST, and GET with the query in the URL) and GraphiQL for browsers.

A request goes through, in order: authentication (401), the request itself
(gateway.graphql.http_request: malformed bodies are 4xx), the document's limits
(gateway.graphql.limits: size, tokens, validation, depth, aliases, root fields,
cached per document), the operation type over GET (405 for a mutation), its
variables and its cost against the caller's budget. Only then is a connection
opened and the operation run, on the compiled path when it can be, else by
Strawberry. Answers follow GraphQL over HTTP: ``application/graphql-response+json``
when the client accepts it (request errors are then 4xx), ``application/json``
otherwise (request errors about the document are 200, as the spec asks).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response
from starlette.routing import BaseRoute, Route
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLRequestData, process_result
from strawberry.types.graphql import OperationType

from gateway import metrics
from gateway.access_log import COMPILED, NORMAL, graphql_answered, operation_name_of
from gateway.authentication import caller_of
from gateway.config import get_settings
from gateway.db.engine import read_connection
from gateway.graphql.compiled import CompiledExecutor
from gateway.graphql.context import Context
from gateway.graphql.cost import objects_in
from gateway.graphql.errors import raise_if_unavailable
from gateway.graphql.http_request import GraphQLHTTPRequest, read_request, response_media_type
from gateway.graphql.limits import DocumentLimits
from gateway.graphql.refusals import Refused
from gateway.graphql.schema import schema
from gateway.pages import graphiql_page
from gateway.request_ids import request_id_of
from gateway.responses import dumps

UNAUTHENTICATED_BODY = dumps(
    {"data": None, "errors": [{"message": "HTTP Token: Access denied", "extensions": {"code": "UNAUTHENTICATED"}}]}
)


class GatewayGraphQL(GraphQL):
    """Strawberry's view, kept as the holder of the schema and the compiled executor."""

    compiled: CompiledExecutor | None = None
    """Answers the reads it can compile (gateway/graphql/compiled); None: every operation runs through Strawberry."""

    limits: DocumentLimits | None = None

    def document_limits(self) -> DocumentLimits:
        if self.limits is None:
            # The view holds our strawberry.Schema; BaseSchema does not declare the graphql-core schema it wraps.
            self.limits = DocumentLimits(self.schema._schema, get_settings().graphql)  # type: ignore[attr-defined]
        return self.limits


# graphql_ide=None: browsers get the gateway's own GraphiQL page (gateway/pages.py), never Strawberry's CDN one.
_graphql = GatewayGraphQL(schema, graphql_ide=None, allow_queries_via_get=True)
_graphql.compiled = CompiledExecutor.from_settings(schema)


def wants_graphiql(scope: Scope) -> bool:
    if scope["method"] != "GET" or b"query=" in scope.get("query_string", b""):
        return False
    accept = next((v for k, v in scope.get("headers", ()) if k == b"accept"), b"")
    return b"text/html" in accept


class GraphQLEndpoint:
    """An ASGI app (not a request function): it reads the request body itself, within its limits."""

    def __init__(self, view: GatewayGraphQL = _graphql) -> None:
        self.view = view

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        # The GraphiQL page itself holds no data; the browser sends the token with each query it runs.
        if wants_graphiql(scope):
            await graphiql_page()(scope, receive, send)
            return
        caller = caller_of(scope)
        if caller is None:
            await Response(UNAUTHENTICATED_BODY, status_code=401, media_type="application/json")(scope, receive, send)
            return
        request_id = request_id_of(scope)
        try:
            response = await self._answer(scope, receive, caller, request_id)
        except Refused as refusal:
            for error in refusal.errors:
                if (limit := error.get("extensions", {}).get("limit")) is not None:
                    metrics.graphql_refused(limit)
            media_type = response_media_type(scope)
            response = Response(
                dumps({"errors": refusal.errors}),
                status_code=refusal.status_for(media_type),
                headers=refusal.headers,
                media_type=media_type,
            )
        await response(scope, receive, send)

    async def _answer(self, scope: Scope, receive: Receive, caller: Any, request_id: str) -> Response:
        limits = self.view.document_limits()
        request = await read_request(scope, receive, max_body_bytes=limits.limits.max_body_bytes)
        checked = limits.check(request.query, request.operation_name, request_id)
        if checked.is_mutation and request.method == "GET":
            raise Refused(
                [{"message": "Mutations are not allowed over GET: use POST", "extensions": {"code": "BAD_USER_INPUT"}}],
                status=405,
                headers={"allow": "POST"},
            )
        variables = limits.coerce_variables(checked, request.variables)
        estimated = limits.check_cost(checked, variables, caller)
        async with read_connection() as conn:
            context = Context(caller=caller, conn=conn, request_id=request_id)
            try:
                result = await self._execute(scope, request, context)
            finally:
                context.forget_loaded()  # the rows go with the request, not with a later full collection
        raise_if_unavailable(result.errors)  # answered 503 by gateway.http_errors.DatabaseUnavailableMiddleware
        body = process_result(result)
        if request.wants_cost:
            extensions = dict(body.get("extensions") or {})
            extensions["cost"] = {
                "estimated": estimated,
                "actual": objects_in(body.get("data")),
                "limit": limits.budget_for(caller),
            }
            body["extensions"] = extensions
        return Response(dumps(body), status_code=200, media_type=request.media_type)

    async def _execute(self, scope: Scope, request: GraphQLHTTPRequest, context: Context) -> Any:
        name = operation_name_of(request.query, request.operation_name)
        allowed = {OperationType.QUERY} if request.method == "GET" else {OperationType.QUERY, OperationType.MUTATION}
        compiled = self.view.compiled
        if compiled is not None:
            data = GraphQLRequestData(
                query=request.query,
                variables=request.variables,
                operation_name=request.operation_name,
                extensions=request.extensions,
            )
            if (result := await compiled.execute(data, context, None, allowed)) is not None:
                graphql_answered(scope, name, COMPILED)
                return result
        graphql_answered(scope, name, NORMAL)
        return await self.view.schema.execute(
            request.query,
            variable_values=request.variables,
            context_value=context,
            operation_name=request.operation_name,
            allowed_operation_types=allowed,
            operation_extensions=request.extensions,
        )


def graphql_routes() -> list[BaseRoute]:
    return [Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"])]
