"""The v1 and v2 records: a flat ``participant`` per registration and the two generations of ``participant-declaration``.

Attribute by attribute as ECF1 sends them (``app/serializers/api/v1/participant_from_query_serializer.rb``,
``api/v1`` and ``api/v2/participant_declaration_serializer.rb``), in the order of the published CSV columns.
"""

from __future__ import annotations

import uuid
from typing import Any

from gateway.domain.declarations.queries import DeclarationRow
from gateway.domain.participants.registrations import RegistrationRow
from gateway.rest.rendering import resource
from gateway.vocabulary import DeclarationState

ELIGIBLE_FOR_PAYMENT = (DeclarationState.ELIGIBLE, DeclarationState.PAYABLE)


def _id(value: uuid.UUID | None) -> str | None:
    # A string, not the UUID: asyncpg hands back its own UUID subclass, which orjson refuses.
    return None if value is None else str(value)


def registration(row: RegistrationRow) -> dict[str, Any]:
    enrolment = row.enrolment
    trn = row.teacher_reference_number
    return resource(
        "participant",
        row.participant_id,
        {
            "email": enrolment.email,
            "full_name": row.full_name,
            "mentor_id": _id(enrolment.mentor_id),
            "school_urn": enrolment.school_urn,
            "participant_type": enrolment.participant_type,
            "cohort": enrolment.cohort,
            "status": "active" if row.is_current else "withdrawn",
            "teacher_reference_number": trn,
            # ECF1: unknown until there is a TRN to validate.
            "teacher_reference_number_validated": None if trn is None else enrolment.teacher_reference_number_validated,
            "eligible_for_funding": enrolment.eligible_for_funding,
            "pupil_premium_uplift": enrolment.pupil_premium_uplift,
            "sparsity_uplift": enrolment.sparsity_uplift,
            "training_status": enrolment.training_status,
            "training_record_id": str(enrolment.training_record_id),
            "schedule_identifier": enrolment.schedule_identifier,
            "updated_at": row.updated_at,
        },
    )


def declaration_v2(row: DeclarationRow) -> dict[str, Any]:
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


def declaration_v1(row: DeclarationRow) -> dict[str, Any]:
    """v2's record with the two flags v1 published before ``state`` (both deprecated in its document)."""
    rendered = declaration_v2(row)
    rendered["attributes"].update(
        eligible_for_payment=row.state in ELIGIBLE_FOR_PAYMENT, voided=row.state == DeclarationState.VOIDED
    )
    return rendered
