"""``participant`` resources: a participant with its ``ecf_enrolments`` and ``participant_id_changes``.

Two shapes: ``ecf_participant`` is the ECF1 document's (``/participants/ecf``), ``participant`` the newer
service's (``/participants``): no ``teacher_reference_number_validated``, and the ECT's working pattern and
the appropriate body's induction dates beside the funding facts.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.participants.enrolments import EnrolmentRow
from gateway.domain.participants.queries import ParticipantIdChangeRow, ParticipantRow
from gateway.rest.rendering import Serializer, resource
from gateway.vocabulary import ParticipantStatus


def participant(row: ParticipantRow) -> dict[str, Any]:
    return _participant(row, enrolment)


def ecf_participant(row: ParticipantRow) -> dict[str, Any]:
    return _participant(row, ecf_enrolment)


def _participant(row: ParticipantRow, enrolment_shape: Serializer) -> dict[str, Any]:
    return resource(
        "participant",
        row.id,
        {
            "full_name": row.full_name,
            "teacher_reference_number": row.teacher_reference_number,
            "updated_at": row.updated_at,
            "ecf_enrolments": [enrolment_shape(e) for e in row.enrolments],
            "participant_id_changes": [participant_id_change(c) for c in row.participant_id_changes],
        },
    )


def enrolment(row: EnrolmentRow) -> dict[str, Any]:
    """The newer document's ``ParticipantECFEnrolment``, attributes in its order."""
    return {
        **_who(row),
        "working_pattern": row.working_pattern,
        **_training(row),
        "participant_status": _newer_participant_status(row.participant_status),
        "induction_end_date": row.induction_end_date,
        "most_recent_induction_period_end_date": row.most_recent_induction_period_end_date,
        "overall_induction_start_date": row.overall_induction_start_date,
        **_mentor_funding(row),
    }


def _newer_participant_status(status: ParticipantStatus) -> ParticipantStatus:
    # The newer document has no "withdrawn": a participant the school withdrew has left it.
    return ParticipantStatus.LEFT if status == ParticipantStatus.WITHDRAWN else status


def ecf_enrolment(row: EnrolmentRow) -> dict[str, Any]:
    """The ECF1 document's ``ECFEnrolment``, attributes in its order."""
    training = _training(row)
    return {
        **_who(row),
        **{k: training[k] for k in ("cohort", "training_status", "participant_status")},
        "teacher_reference_number_validated": row.teacher_reference_number_validated,
        **training,
        "induction_end_date": row.induction_end_date,
        **_mentor_funding(row),
    }


def _who(row: EnrolmentRow) -> dict[str, Any]:
    return {
        "training_record_id": str(row.training_record_id),
        "email": row.email,
        "mentor_id": None if row.mentor_id is None else str(row.mentor_id),
        "school_urn": row.school_urn,
        "participant_type": row.participant_type,
    }


def _training(row: EnrolmentRow) -> dict[str, Any]:
    return {
        "cohort": row.cohort,
        "training_status": row.training_status,
        "participant_status": row.participant_status,
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
    }


def _mentor_funding(row: EnrolmentRow) -> dict[str, Any]:
    return {
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
