"""A wall-clock budget per request: past it the request is cancelled and answered 503.

The outer bound on a request's work (statement timeouts, gateway.db.engine, bound each
statement). Cancelling the request's task cancels the statement it awaits: asyncpg then
asks PostgreSQL to cancel it, so nothing keeps running for a client that was answered.
What the request held (its rows, its half-built answer) goes with the task.
GraphQL answers ``TIMEOUT`` in its own format; REST a JSON body. A request whose answer
had already started cannot be answered again: its connection is closed instead.
"""

from __future__ import annotations

import asyncio
import logging

import orjson
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("gateway.request_budget")

GRAPHQL_PATH = "/graphql"
GRAPHQL_TIMEOUT_BODY = orjson.dumps({"errors": [{"message": "Request timed out", "extensions": {"code": "TIMEOUT"}}]})
REST_TIMEOUT_BODY = orjson.dumps({"error": "Request timed out"})


class RequestBudgetMiddleware:
    def __init__(self, app: ASGIApp, *, seconds: float) -> None:
        self.app = app
        self.seconds = seconds
        """0: no budget."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.seconds <= 0:
            await self.app(scope, receive, send)
            return
        started = False

        async def send_tracked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            async with asyncio.timeout(self.seconds) as budget:
                await self.app(scope, receive, send_tracked)
        except TimeoutError:
            if not budget.expired():
                raise  # a timeout of the request's own, not the budget's
            log.warning("request over its %ss budget cancelled: %s %s", self.seconds, scope["method"], scope["path"])
            if started:
                return
            graphql = scope["path"].rstrip("/") == GRAPHQL_PATH
            await send(
                {
                    "type": "http.response.start",
                    "status": 503,
                    "headers": [
                        (b"content-type", b"application/json"),
                        (b"retry-after", b"1"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": GRAPHQL_TIMEOUT_BODY if graphql else REST_TIMEOUT_BODY})
