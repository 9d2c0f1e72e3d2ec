"""GET /api/v3/openapi.json: the OpenAPI document of what this gateway serves (public, no token)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.rest.openapi import served_document_bytes


def document_endpoint():
    """The handler, with the document built now (at start-up) rather than on the first request."""
    body = served_document_bytes()

    async def document(_request: Request) -> Response:
        return Response(body, media_type="application/json")

    return document
