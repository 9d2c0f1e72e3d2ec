"""``participant-declaration`` resources, in the newer service's shape (the path has no ``/ecf`` twin).

The newer service refuses a duplicate declaration (one across TRNs, which can never be paid) instead of recording
it as ``ineligible``, so its document has no such state: such a declaration, which nothing will ever pay, answers
as ``voided`` there. ``has_passed`` is not in that document either.
"""

from __future__ import annotations

import uuid
from typing import Any

from gateway.domain.declarations.queries import DeclarationRow
from gateway.rest.rendering import resource
from gateway.vocabulary import DeclarationState


def _id(value: uuid.UUID | None) -> str | None:
    # Explicitly a string: asyncpg hands back its own UUID subclass, which orjson refuses to serialise.
    return None if value is None else str(value)


def declaration(row: DeclarationRow) -> dict[str, Any]:
    return resource(
        "participant-declaration",
        row.id,
        {
            "participant_id": str(row.participant_id),
            "declaration_type": row.declaration_type,
            "declaration_date": row.declaration_date,
            "course_identifier": row.course_identifier,
            "state": _published_state(row.state),
            "updated_at": row.updated_at,
            "created_at": row.created_at,
            "delivery_partner_id": _id(row.delivery_partner_id),
            "statement_id": _id(row.statement_id),
            "clawback_statement_id": _id(row.clawback_statement_id),
            "ineligible_for_funding_reason": row.ineligible_for_funding_reason,
            "mentor_id": _id(row.mentor_id),
            "uplift_paid": row.uplift_paid,
            "evidence_held": row.evidence_held,
            "lead_provider_name": row.lead_provider_name,
        },
    )


def _published_state(state: str) -> str:
    return DeclarationState.VOIDED if state == DeclarationState.INELIGIBLE else state
