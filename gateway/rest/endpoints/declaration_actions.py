"""POST /api/v3/participant-declarations and PUT /api/v3/participant-declarations/{id}/void.

Both answer 200 with the declaration as the GET endpoints render it; ``serializer`` is the version's shape
(v1 and v2 mount these same handlers with theirs).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import write_transaction
from gateway.domain.declarations import actions
from gateway.domain.declarations.submission import DeclarationSubmission
from gateway.rest import bodies, rendering
from gateway.rest.params import path_id
from gateway.rest.serializers.declarations import declaration


async def create(request: Request, *, serializer: Callable[[Any], dict[str, Any]] = declaration) -> Response:
    attributes = await bodies.attributes(request)
    submission = DeclarationSubmission(
        participant_id=attributes.get("participant_id"),
        declaration_type=attributes.get("declaration_type"),
        declaration_date=attributes.get("declaration_date"),
        course_identifier=attributes.get("course_identifier"),
        evidence_held=attributes.get("evidence_held"),
    )
    async with write_transaction() as conn:
        row = await actions.create_declaration(conn, rendering.request_caller(request), submission)
    return rendering.one(row, serializer)


async def void(request: Request, *, serializer: Callable[[Any], dict[str, Any]] = declaration) -> Response:
    declaration_id = path_id(request.path_params["id"])
    async with write_transaction() as conn:
        row = await actions.void_declaration(conn, rendering.request_caller(request), declaration_id)
    return rendering.one(row, serializer)
