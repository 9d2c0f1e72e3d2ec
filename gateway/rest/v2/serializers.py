"""The v2 ``participant-declaration`` record (ECF1 ``app/serializers/api/v2/participant_declaration_serializer.rb``):
every state the live serializer sends, clawbacks included. Participants are the shared flat record
(``gateway.rest.legacy.serializers.registration``)."""

from __future__ import annotations

from typing import Any

from gateway.domain.declarations.queries import DeclarationRow
from gateway.rest.rendering import resource


def declaration(row: DeclarationRow) -> dict[str, Any]:
    return resource(
        "participant-declaration",
        row.id,
        {
            "participant_id": str(row.participant_id),
            "declaration_type": row.declaration_type,
            "declaration_date": row.declaration_date,
            "course_identifier": row.course_identifier,
            "state": row.state,
            "updated_at": row.updated_at,
            "has_passed": row.has_passed,
        },
    )
