"""``unfunded-mentor`` resources."""

from __future__ import annotations

from typing import Any

from gateway.domain.participants.unfunded_mentors import UnfundedMentorRow
from gateway.rest.rendering import resource


def unfunded_mentor(row: UnfundedMentorRow) -> dict[str, Any]:
    return resource(
        "unfunded-mentor",
        row.id,
        {
            "full_name": row.full_name,
            "email": row.email,
            "teacher_reference_number": row.teacher_reference_number,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        },
    )
