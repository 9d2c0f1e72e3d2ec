"""Every GraphQL error carries ``extensions.code``; unexpected ones are masked and logged with the request id."""

from __future__ import annotations

import logging
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from gateway.db.faults import DatabaseUnavailable, fault_name, is_unavailable
from gateway.domain.errors import BadRequest, Forbidden, NotFound, Unauthenticated, ValidationFailed

log = logging.getLogger("gateway.graphql")

NOT_FOUND_MESSAGE = "Nothing could be found for the provided details"

_CODES: tuple[tuple[type[Exception], str], ...] = (
    (NotFound, "NOT_FOUND"),
    (BadRequest, "BAD_USER_INPUT"),
    (ValidationFailed, "BAD_USER_INPUT"),
    (Forbidden, "FORBIDDEN"),
    (Unauthenticated, "UNAUTHENTICATED"),
)
# Over the published rate limit. Answered at the request edge before any operation runs
# (gateway/rate_limiting.py), so no exception maps to it.
RATE_LIMITED = "RATE_LIMITED"
# The database away: the whole request is answered 503 (gateway/http_errors.py), never a masked INTERNAL.
SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"


def _code_for(original: BaseException | None) -> str:
    if original is None or isinstance(original, GraphQLError):
        # The document or its variables were invalid: GraphQL's own parse, validation and coercion errors
        # (a variable outside an input enum arrives wrapped around the GraphQLError that refused it).
        return "BAD_USER_INPUT"
    for kind, code in _CODES:
        if isinstance(original, kind):
            return code
    if is_unavailable(original):
        return SERVICE_UNAVAILABLE
    return "INTERNAL"


def coded(error: GraphQLError, request_id: str) -> GraphQLError:
    original = error.original_error
    code = _code_for(original)
    message = error.message
    if code == "INTERNAL":
        log.error("unhandled error in GraphQL (request %s)", request_id, exc_info=original)
        message = f"Internal server error. Quote request id {request_id} if you contact us."
    elif code == "NOT_FOUND":
        message = NOT_FOUND_MESSAGE
    elif code == SERVICE_UNAVAILABLE:
        log.warning("database unavailable in GraphQL (request %s): %s", request_id, fault_name(original))  # type: ignore[arg-type]  # SERVICE_UNAVAILABLE is coded only from an error
        message = "Service unavailable"
    extensions = {**(error.extensions or {}), "code": code}
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=extensions,
    )


def raise_if_unavailable(errors: list[GraphQLError] | None) -> None:
    """A database fault in any field fails the whole request with the 503: the client retries the document."""
    if errors and any((e.extensions or {}).get("code") == SERVICE_UNAVAILABLE for e in errors):
        raise DatabaseUnavailable()


class ErrorCodes(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            context = self.execution_context.context
            request_id = getattr(context, "request_id", "-")
            result.errors = [coded(e, request_id) for e in result.errors]
