"""Everything the checks of a new declaration read, loaded once before any check runs."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import and_, exists, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import (
    Cohort,
    Declaration,
    Milestone,
    Participant,
    Partnership,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.domain.declarations.milestones import DatedDeclaration, MilestoneWindow
from gateway.domain.declarations.payment import PaymentTarget, next_open_output_statement
from gateway.vocabulary import BILLABLE_STATES, DeclarationState, DeclarationType, ParticipantType

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_partnerships = table_of(Partnership)
_participants = table_of(Participant)
_cohorts = table_of(Cohort)
_milestones = table_of(Milestone)
_declarations = table_of(Declaration)

BILLABLE = [state.value for state in BILLABLE_STATES]
RESUBMITTABLE = [*BILLABLE, DeclarationState.INELIGIBLE.value]
"""States in which an earlier submission still stands, so sending it again answers it (the digest index's states)."""


@dataclass(frozen=True, slots=True)
class TrainingFacts:
    """The caller's latest training period of one role for the participant, and what the rules read around it."""

    training_record_id: uuid.UUID
    participant_type: ParticipantType
    eligible_for_funding: bool
    teacher_reference_number: str | None
    cohort_id: uuid.UUID
    cohort_year: int
    mentor_funding: bool
    detailed_evidence_types: bool
    payments_frozen_at: datetime | None
    schedule_id: uuid.UUID | None
    withdrawn_at: datetime | None
    deferred_at: datetime | None
    delivery_partner_id: uuid.UUID
    mentor_id: uuid.UUID | None


@dataclass(slots=True)
class SubmissionFacts:
    participant_known: bool = False
    """The participant has a training period under one of the caller's partnerships (so the caller sees them)."""
    training: TrainingFacts | None = None
    """The latest period of the submitted course's role with the caller; None when there is none."""
    milestone: MilestoneWindow | None = None
    """The submitted type's milestone on that period's schedule."""
    billable: list[DatedDeclaration] = field(default_factory=list)
    """The training record's billable declarations, whichever lead provider sent them."""
    duplicate_elsewhere: bool = False
    """Another participant with the same TRN holds a billable declaration of this type and course."""
    statement_id: uuid.UUID | None = None
    """The open output-fee statement a declaration made today lands on."""

    def slot_taken(self, declaration_type: DeclarationType) -> bool:
        return any(d.declaration_type == declaration_type for d in self.billable)


async def load_training(
    conn: AsyncConnection, *, lead_provider_id: uuid.UUID, participant_id: uuid.UUID, role: ParticipantType | None
) -> tuple[bool, TrainingFacts | None]:
    """Whether the caller sees the participant, and the latest period of ``role`` under one of its partnerships."""
    stmt = (
        select(
            _records.c.id.label("training_record_id"),
            _records.c.participant_type,
            _records.c.eligible_for_funding,
            _participants.c.teacher_reference_number,
            _periods.c.cohort_id,
            _cohorts.c.year.label("cohort_year"),
            _cohorts.c.mentor_funding,
            _cohorts.c.detailed_evidence_types,
            _cohorts.c.payments_frozen_at,
            _periods.c.schedule_id,
            _periods.c.withdrawn_at,
            _periods.c.deferred_at,
            _partnerships.c.delivery_partner_id,
            _periods.c.mentor_id,
        )
        .select_from(
            _periods.join(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .join(_participants, _participants.c.id == _records.c.participant_id)
            .join(_cohorts, _cohorts.c.id == _periods.c.cohort_id)
        )
        .where(_records.c.participant_id == participant_id, _partnerships.c.lead_provider_id == lead_provider_id)
        .order_by(_periods.c.started_on.desc(), _periods.c.created_at.desc(), _periods.c.id.desc())
    )
    rows = (await conn.execute(stmt)).all()
    latest = next((r for r in rows if role is not None and r.participant_type == role), None)
    if latest is None:
        return bool(rows), None
    values = latest._asdict()
    values["participant_type"] = ParticipantType(latest.participant_type)
    values["eligible_for_funding"] = bool(latest.eligible_for_funding)
    return True, TrainingFacts(**values)


async def load_submission_facts(
    conn: AsyncConnection,
    *,
    lead_provider_id: uuid.UUID,
    participant_known: bool,
    training: TrainingFacts | None,
    declaration_type: DeclarationType | None,
) -> SubmissionFacts:
    facts = SubmissionFacts(participant_known=participant_known, training=training)
    if training is None:
        return facts
    if declaration_type is not None and training.schedule_id is not None:
        found = (
            await conn.execute(
                select(_milestones.c.start_date, _milestones.c.milestone_date).where(
                    _milestones.c.schedule_id == training.schedule_id,
                    _milestones.c.declaration_type == declaration_type.value,
                )
            )
        ).first()
        facts.milestone = MilestoneWindow(found.start_date, found.milestone_date) if found else None
    billable = await conn.execute(
        select(_declarations.c.declaration_type, _declarations.c.declaration_date).where(
            _declarations.c.training_record_id == training.training_record_id, _declarations.c.state.in_(BILLABLE)
        )
    )
    facts.billable = [DatedDeclaration(r.declaration_type, r.declaration_date) for r in billable]
    if declaration_type is not None and training.teacher_reference_number:
        facts.duplicate_elsewhere = await _billable_under_same_trn(conn, training, declaration_type)
    facts.statement_id = await next_open_output_statement(conn, PaymentTarget(lead_provider_id, training.cohort_id))
    return facts


async def _billable_under_same_trn(
    conn: AsyncConnection, training: TrainingFacts, declaration_type: DeclarationType
) -> bool:
    others = (
        select(_declarations.c.id)
        .select_from(
            _declarations.join(_records, _records.c.id == _declarations.c.training_record_id).join(
                _participants, _participants.c.id == _records.c.participant_id
            )
        )
        .where(
            _participants.c.teacher_reference_number == training.teacher_reference_number,
            _records.c.id != training.training_record_id,
            _records.c.participant_type == training.participant_type.value,
            _declarations.c.declaration_type == declaration_type.value,
            _declarations.c.state.in_(BILLABLE),
        )
    )
    return bool((await conn.execute(select(exists(others)))).scalar())


async def find_resubmission(conn: AsyncConnection, digest: str) -> uuid.UUID | None:
    """The standing declaration an identical submission made, if any."""
    stmt = select(_declarations.c.id).where(
        and_(_declarations.c.submission_digest == digest, _declarations.c.state.in_(RESUBMITTABLE))
    )
    return (await conn.execute(stmt)).scalars().first()
