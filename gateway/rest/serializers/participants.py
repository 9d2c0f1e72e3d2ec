"""``participant`` resources: a participant with its ``ecf_enrolments`` and ``participant_id_changes``."""

from __future__ import annotations

from typing import Any

from gateway.domain.participants.enrolments import EnrolmentRow
from gateway.domain.participants.queries import ParticipantIdChangeRow, ParticipantRow
from gateway.rest.rendering import resource


def participant(row: ParticipantRow) -> dict[str, Any]:
    return resource(
        "participant",
        row.id,
        {
            "full_name": row.full_name,
            "teacher_reference_number": row.teacher_reference_number,
            "updated_at": row.updated_at,
            "ecf_enrolments": [enrolment(e) for e in row.enrolments],
            "participant_id_changes": [participant_id_change(c) for c in row.participant_id_changes],
        },
    )


def enrolment(row: EnrolmentRow) -> dict[str, Any]:
    return {
        "training_record_id": str(row.training_record_id),
        "email": row.email,
        "mentor_id": None if row.mentor_id is None else str(row.mentor_id),
        "school_urn": row.school_urn,
        "participant_type": row.participant_type,
        "cohort": row.cohort,
        "training_status": row.training_status,
        "participant_status": row.participant_status,
        "teacher_reference_number_validated": row.teacher_reference_number_validated,
        "eligible_for_funding": row.eligible_for_funding,
        "pupil_premium_uplift": row.pupil_premium_uplift,
        "sparsity_uplift": row.sparsity_uplift,
        "schedule_identifier": row.schedule_identifier,
        "delivery_partner_id": str(row.delivery_partner_id),
        "withdrawal": None
        if row.withdrawal is None
        else {"reason": row.withdrawal.reason, "date": row.withdrawal.date},
        "deferral": None if row.deferral is None else {"reason": row.deferral.reason, "date": row.deferral.date},
        "created_at": row.created_at,
        "induction_end_date": row.induction_end_date,
        "mentor_funding_end_date": row.mentor_funding_end_date,
        "cohort_changed_after_payments_frozen": row.cohort_changed_after_payments_frozen,
        "mentor_ineligible_for_funding_reason": row.mentor_ineligible_for_funding_reason,
    }


def participant_id_change(row: ParticipantIdChangeRow) -> dict[str, Any]:
    return {
        "from_participant_id": str(row.from_participant_id),
        "to_participant_id": str(row.to_participant_id),
        "changed_at": row.changed_at,
    }
