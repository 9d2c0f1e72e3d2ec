"""One access line and one set of request metrics per HTTP request, measured in one place.

``AccessLogMiddleware`` times each request from its arrival to its last body byte and counts the bytes
sent (after compression, so the figure is what crossed the wire). The line it logs (logger
``gateway.access``) carries: method, path with the query's values masked where they could carry
personal data, status, duration in ms, response bytes, the caller's lead provider or role (never the
token: headers are not logged at all), for GraphQL the operation name and which execution path answered
it, and (through gateway.logging) the request id.

GraphQL endpoints report what they ran with ``graphql_answered(scope, operation_name, execution_path)``.
"""

from __future__ import annotations

import logging
import re
import time
from urllib.parse import parse_qsl, quote

from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway import metrics

log = logging.getLogger("gateway.access")

SHOWN_QUERY_VALUES = frozenset(
    {
        "page[page]",
        "page[per_page]",
        "sort",
        "filter[cohort]",
        "filter[updated_since]",
        "filter[training_status]",
        "filter[type]",
        "filter[urn]",
        "operationName",
    }
)
"""Query parameters whose values say how a caller pages and filters, never who a record is about.
Every other value (participant ids, a GraphQL GET's query and variables, anything unknown) is masked."""

MASK = "*"

COMPILED, NORMAL = "compiled", "normal"
"""The GraphQL execution paths: gateway.graphql.compiled, or Strawberry's own execution."""


def masked_path(scope: Scope) -> str:
    path = scope.get("path", "")
    raw = scope.get("query_string", b"").decode("latin-1")
    if not raw:
        return path
    pairs = parse_qsl(raw, keep_blank_values=True)
    shown = "&".join(
        f"{quote(key, safe='[]_')}={quote(value, safe=':+-_.,') if key in SHOWN_QUERY_VALUES else MASK}"
        for key, value in pairs
    )
    return f"{path}?{shown}"


def route_template(scope: Scope) -> str:
    """The template of the route that served the request (``/api/v3/participants/{id}``), not its raw path.

    A request answered before routing (401, 429) is labelled with the route it was meant for.
    """
    if isinstance(route := scope.get("route"), Route):  # set by Starlette's router (1.x) for the route it ran
        return route.path
    endpoint = scope.get("endpoint")
    path = scope.get("path", "")
    routes = [route for route in getattr(scope.get("app"), "routes", ()) if isinstance(route, Route)]
    if endpoint is not None:
        for route in routes:
            if route.endpoint is endpoint and route.path_regex.match(path):
                return route.path
    for route in routes:
        if route.path_regex.match(path):
            return route.path
    return metrics.UNMATCHED_ROUTE


_FIRST_OPERATION = re.compile(r"\b(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]{0,99})")


def operation_name_of(query: str | None, operation_name: str | None) -> str | None:
    """The operation's name: the one the request chose, else the document's first (None: anonymous)."""
    if operation_name:
        return operation_name[:100]
    found = _FIRST_OPERATION.search(query or "")
    return found.group(1) if found else None


def graphql_answered(scope: Scope, operation_name: str | None, execution_path: str) -> None:
    state = scope.setdefault("state", {})
    state["graphql_operation"] = operation_name
    state["graphql_execution_path"] = execution_path
    metrics.graphql_operation(operation_name, execution_path)


def _caller_fields(state: dict) -> dict[str, str]:
    caller = state.get("caller")
    if caller is None:
        return {}
    fields = {"role": caller.role.value}
    if caller.lead_provider_name is not None:
        fields["lead_provider"] = caller.lead_provider_name
    return fields


class AccessLogMiddleware:
    def __init__(self, app: ASGIApp, *, metrics_enabled: bool = True) -> None:
        self.app = app
        self.metrics_enabled = metrics_enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before starting a response
        sent = 0

        async def measured(message: Message) -> None:
            nonlocal status, sent
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                sent += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, measured)
        finally:
            self._finished(scope, status, sent, time.perf_counter() - started)

    def _finished(self, scope: Scope, status: int, sent: int, seconds: float) -> None:
        route = route_template(scope)
        if self.metrics_enabled:
            metrics.request_finished(route, scope["method"], status, seconds)
        if route == metrics.PATH:
            return  # a scrape every few seconds would drown the lines people read
        state = scope.get("state", {})
        fields: dict[str, object] = {
            "method": scope["method"],
            "path": masked_path(scope),
            "route": route,
            "status": status,
            "duration_ms": round(seconds * 1000, 2),
            "bytes": sent,
            **_caller_fields(state),
        }
        if "graphql_execution_path" in state:
            fields["graphql_operation"] = state["graphql_operation"]
            fields["graphql_execution_path"] = state["graphql_execution_path"]
        log.info("%s %s %s", scope["method"], fields["path"], status, extra=fields)
