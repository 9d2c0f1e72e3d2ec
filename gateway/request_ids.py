"""Request ids: one per request, from a well-formed ``X-Request-Id`` or new, echoed on every response.

The one source of a request's id. ``RequestIdMiddleware`` runs outside every other middleware: it leaves
the id in ``scope["state"]["request_id"]`` (error bodies that quote an id read it there) and in a context
variable that every log line of the request reads (gateway.logging), and adds ``X-Request-Id`` to the
response. A load balancer's or client's id is kept so a request can be followed across systems; anything
that is not a short token of safe characters is replaced, so a header cannot inject text into logs.
"""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
"""Up to 128 letters, digits, dots, underscores, colons and hyphens: UUIDs, hex ids, AWS trace ids."""

current: ContextVar[str | None] = ContextVar("request_id", default=None)
"""The id of the request this code runs for; None outside any request (start-up, commands)."""


def new_request_id() -> str:
    return uuid.uuid4().hex


def incoming_or_new(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == HEADER:
            candidate = value.decode("latin-1")
            if WELL_FORMED.fullmatch(candidate):
                return candidate
            break
    return new_request_id()


def request_id_of(scope: Scope) -> str:
    """The request's id, as the middleware set it; a new one when the app runs without it (some tests)."""
    return scope.setdefault("state", {}).setdefault("request_id", current.get() or new_request_id())


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        rid = incoming_or_new(scope)
        # In place: Starlette's error middleware, outside this one, renders a 500 from this very scope.
        scope.setdefault("state", {})["request_id"] = rid
        header = (b"x-request-id", rid.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != HEADER]
                message = {**message, "headers": [*headers, header]}
            await send(message)

        token = current.set(rid)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            # Starlette's error middleware, outside this one, logs and renders a 500 after this: it reads
            # the id from the scope (gateway.http_errors), not from here.
            current.reset(token)
