"""A GraphQL-over-HTTP request read and checked in one place, before any execution path sees it.

Everything a client can get wrong in the request itself is refused here as a
GraphQL request error (a 4xx, no ``data``): a body over the size limit, a
content type other than JSON, a body that is not UTF-8 or not JSON, JSON
nested past a bound, anything but one JSON object (batches included),
``query`` missing or not a string, ``operationName`` not a string,
``variables`` or ``extensions`` not an object. GET carries the same
parameters in the URL (``variables`` and ``extensions`` as JSON text).
The answer's media type is chosen from ``Accept``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

import orjson
from starlette.types import Receive, Scope

from gateway.graphql.refusals import REQUEST_TOO_LARGE, Refused, refused

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_JSON_DEPTH = 32
"""Variables are input objects a few levels deep; nothing a client needs nests JSON further."""
COST_HEADER = "graphql-cost"
"""``GraphQL-Cost: include`` (or ``"extensions": {"cost": true}``) asks for ``extensions.cost`` in the answer."""


@dataclass(frozen=True, slots=True)
class GraphQLHTTPRequest:
    method: str
    query: str
    operation_name: str | None
    variables: dict[str, Any] | None
    extensions: dict[str, Any] | None
    media_type: str
    """The answer's media type: application/graphql-response+json when the client accepts it, else JSON."""
    wants_cost: bool


def response_media_type(scope: Scope) -> str:
    """``application/graphql-response+json`` when ``Accept`` prefers it; ``application/json`` otherwise.

    A missing ``Accept``, ``*/*`` and anything unknown are answered in ``application/json``, as the spec
    asks of servers that supported it before the newer media type existed.
    """
    accept = _header(scope, b"accept")
    best, best_q = JSON, -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        media = media.strip().lower()
        if media not in (GRAPHQL_RESPONSE, JSON, "application/*", "*/*"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q and q > 0:
            best, best_q = (GRAPHQL_RESPONSE if media == GRAPHQL_RESPONSE else JSON), q
    return best


async def read_request(scope: Scope, receive: Receive, *, max_body_bytes: int) -> GraphQLHTTPRequest:
    """The request's GraphQL parameters, or ``Refused`` raised with the answer a malformed request gets."""
    method = scope["method"]
    if method == "GET":
        params = _query_params(scope)
    elif method == "POST":
        params = await _body_params(scope, receive, max_body_bytes)
    else:
        raise Refused(
            [{"message": "GraphQL is served over GET and POST", "extensions": {"code": "BAD_USER_INPUT"}}],
            status=405,
            headers={"allow": "GET, POST"},
        )
    query = params.get("query")
    if query is None:
        raise refused("No GraphQL query found in the request")
    if not isinstance(query, str):
        raise refused("The query must be a string")
    operation_name = params.get("operationName")
    if operation_name is not None and not isinstance(operation_name, str):
        raise refused("The operationName must be a string")
    variables = _object_or_none(params, "variables")
    extensions = _object_or_none(params, "extensions")
    wants_cost = _header(scope, COST_HEADER.encode()).strip().lower() == "include" or bool(
        extensions and extensions.get("cost") is True
    )
    return GraphQLHTTPRequest(
        method=method,
        query=query,
        operation_name=operation_name or None,
        variables=variables,
        extensions=extensions,
        media_type=response_media_type(scope),
        wants_cost=wants_cost,
    )


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _query_params(scope: Scope) -> dict[str, Any]:
    try:
        raw = scope.get("query_string", b"").decode("utf-8")
    except UnicodeDecodeError:
        raise refused("The URL's parameters are not UTF-8") from None
    params: dict[str, Any] = dict(parse_qsl(raw, keep_blank_values=True))
    for name in ("variables", "extensions"):
        if params.get(name):
            params[name] = _json(params[name].encode("utf-8"), f"The {name} parameter is not JSON")
        else:
            params.pop(name, None)
    return params


async def _body_params(scope: Scope, receive: Receive, max_body_bytes: int) -> dict[str, Any]:
    content_type = _header(scope, b"content-type").partition(";")[0].strip().lower()
    if content_type not in (JSON, GRAPHQL_RESPONSE):
        raise refused("Unsupported content type")
    body = await _read_body(scope, receive, max_body_bytes)
    if not body.strip():
        raise refused("The request has no body: send a JSON object with a query")
    params = _json(body, "Unable to parse request body as JSON")
    if isinstance(params, list):
        raise refused("Batching is not enabled")
    if not isinstance(params, dict):
        raise refused("The request body must be a JSON object")
    return params


async def _read_body(scope: Scope, receive: Receive, max_body_bytes: int) -> bytes:
    too_large = refused(
        f"The request body is over the limit of {max_body_bytes} bytes",
        REQUEST_TOO_LARGE,
        status=413,
        limit="body bytes",
        maximum=max_body_bytes,
    )
    declared = _header(scope, b"content-length")
    if declared.isdigit() and int(declared) > max_body_bytes:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_body_bytes:
            raise too_large  # stop reading: what was read is dropped with this request
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _json(raw: bytes, message: str) -> Any:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise refused("The request body is not UTF-8") from None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as error:
        if "depth" in str(error):
            raise refused(f"The request's JSON is nested deeper than {MAX_JSON_DEPTH} levels") from None
        raise refused(message) from None
    if _nesting(value) > MAX_JSON_DEPTH:
        raise refused(f"The request's JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    return value


def _nesting(value: Any) -> int:
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            deepest = max(deepest, depth)
            pending.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            deepest = max(deepest, depth)
            pending.extend((v, depth + 1) for v in item)
    return deepest


def _object_or_none(params: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = params.get(name)
    if value is not None and not isinstance(value, dict):
        raise refused(f"The {name} must be a JSON object")
    return value
