"""Sandbox time travel: ``X-With-Server-Date`` runs a request as of another moment.

Providers use it to test milestone windows and statement cut-offs. Production
ignores the header entirely.
"""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
from starlette.types import ASGIApp, Receive, Scope, Send

from gateway import clock

HEADER = b"x-with-server-date"


def parse_moment(value: str) -> datetime | None:
    """The header's moment in UTC (naive values are UTC), or None when it names no representable moment."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        # An offset can push a moment at the edge of the calendar past year 9999 or before year 1.
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None


class TimeTravelMiddleware:
    def __init__(self, app: ASGIApp, *, enabled: bool) -> None:
        self.app = app
        self.enabled = enabled

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        header = None
        if self.enabled and scope["type"] == "http":
            header = next((value for name, value in scope.get("headers", ()) if name == HEADER), None)
        if header is None:
            await self.app(scope, receive, send)
            return
        moment = parse_moment(header.decode("latin-1"))
        if moment is None:
            body = orjson.dumps(
                {
                    "errors": [
                        {
                            "title": "Bad request",
                            "detail": "The X-With-Server-Date header must be a valid ISO 8601 date-time",
                        }
                    ]
                }
            )
            await send(
                {"type": "http.response.start", "status": 400, "headers": [(b"content-type", b"application/json")]}
            )
            await send({"type": "http.response.body", "body": body})
            return
        with clock.travel_to(moment):
            await self.app(scope, receive, send)
