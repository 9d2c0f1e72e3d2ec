"""Small factories for schools, partnerships and the training periods that shape what a school shows.

Each writes one row (in its own transaction) and returns its id; every column
the test does not care about gets a plain default.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from gateway.db.engine import write_transaction
from gateway.db.tables import (
    Cohort,
    DeliveryPartner,
    LeadProvider,
    Participant,
    Partnership,
    School,
    SchoolCohort,
    TrainingPeriod,
    TrainingRecord,
)
from gateway.vocabulary import ParticipantType, TrainingProgramme

A_MOMENT = datetime(2025, 1, 1, 9, tzinfo=UTC)


async def _insert(db, table, **values) -> uuid.UUID:
    values.setdefault("id", uuid.uuid4())
    values.setdefault("created_at", A_MOMENT)
    values.setdefault("updated_at", values["created_at"])
    async with write_transaction(db.engine) as conn:
        await conn.execute(table.__table__.insert().values(**values))
    return values["id"]


async def make_cohort(db, year: int) -> uuid.UUID:
    return await _insert(db, Cohort, year=year, starts_on=date(year, 6, 1))


async def make_lead_provider(db, name: str) -> uuid.UUID:
    return await _insert(db, LeadProvider, name=name)


async def make_delivery_partner(db, name: str) -> uuid.UUID:
    return await _insert(db, DeliveryPartner, name=name)


async def make_school(db, *, urn: str, name: str | None = None, **values) -> uuid.UUID:
    return await _insert(db, School, urn=urn, name=name or f"School {urn}", **values)


async def make_school_cohort(
    db, *, school_id: uuid.UUID, cohort_id: uuid.UUID, eligible: bool = True, tutor: str | None = None, **values
) -> uuid.UUID:
    return await _insert(
        db,
        SchoolCohort,
        school_id=school_id,
        cohort_id=cohort_id,
        eligible_for_funding=eligible,
        induction_tutor_name=tutor,
        induction_tutor_email=None if tutor is None else f"{tutor.lower().replace(' ', '.')}@example.com",
        **values,
    )


async def make_partnership(
    db,
    *,
    school_id: uuid.UUID,
    lead_provider_id: uuid.UUID,
    delivery_partner_id: uuid.UUID,
    cohort_id: uuid.UUID,
    **values,
) -> uuid.UUID:
    return await _insert(
        db,
        Partnership,
        school_id=school_id,
        lead_provider_id=lead_provider_id,
        delivery_partner_id=delivery_partner_id,
        cohort_id=cohort_id,
        **values,
    )


async def make_training_period(
    db,
    *,
    school_id: uuid.UUID,
    cohort_id: uuid.UUID,
    programme: TrainingProgramme = TrainingProgramme.PROVIDER_LED,
    partnership_id: uuid.UUID | None = None,
    interested_lead_provider_id: uuid.UUID | None = None,
    started_on: date = date(2025, 9, 1),
    finished_on: date | None = None,
    training_record_id: uuid.UUID | None = None,
) -> uuid.UUID:
    """A period of a new participant's ECT training record, or of ``training_record_id``'s."""
    record_id = training_record_id
    if record_id is None:
        participant_id = await _insert(db, Participant, full_name="A Teacher")
        record_id = await _insert(
            db, TrainingRecord, participant_id=participant_id, participant_type=ParticipantType.ECT.value
        )
    return await _insert(
        db,
        TrainingPeriod,
        training_record_id=record_id,
        school_id=school_id,
        cohort_id=cohort_id,
        training_programme=programme.value,
        partnership_id=partnership_id,
        expression_of_interest_lead_provider_id=interested_lead_provider_id,
        started_on=started_on,
        finished_on=finished_on,
    )
