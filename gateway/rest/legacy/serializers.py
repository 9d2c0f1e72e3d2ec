"""The record v1 and v2 share: a flat ``participant`` per registration, attribute by attribute as ECF1 sends it
(``app/serializers/api/v1/participant_from_query_serializer.rb``), in the order of the published CSV columns.
Each version's declaration record is its own (``gateway/rest/v1/serializers.py``, ``v2/serializers.py``)."""

from __future__ import annotations

import uuid
from typing import Any

from gateway.domain.participants.registrations import RegistrationRow
from gateway.rest.rendering import resource


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
