"""What the database says a caller should read of schools and partnerships, worked out independently.

The rules of domain.md section 4 are applied here in plain Python over whole
tables, not through the gateway's queries, so the endpoint tests compare the
gateway's answer with a second reading of the same rows. Values are keyed by
the published (REST) attribute names and rendered as JSON would render them.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import clock
from gateway.db.tables import (
    Cohort,
    DeliveryPartner,
    LeadProvider,
    Partnership,
    School,
    SchoolCohort,
    TrainingPeriod,
    TrainingRecord,
)
from gateway.responses import ORJSON_OPTIONS


def as_json(value: Any) -> Any:
    """``value`` as the API renders it (ids as strings, timestamps with ``Z``)."""
    # default=str: asyncpg's UUID subclass is not serialised by orjson itself.
    return orjson.loads(orjson.dumps(value, default=str, option=ORJSON_OPTIONS))


async def _rows(engine: AsyncEngine, model, *where) -> list:
    async with engine.connect() as conn:
        return (await conn.execute(select(model.__table__).where(*where))).all()


async def lead_provider_ids(engine: AsyncEngine) -> dict[str, uuid.UUID]:
    return {row.name: row.id for row in await _rows(engine, LeadProvider)}


async def cohort_ids(engine: AsyncEngine) -> dict[int, uuid.UUID]:
    return {row.year: row.id for row in await _rows(engine, Cohort)}


async def expected_schools(
    engine: AsyncEngine, year: int, lead_provider_id: uuid.UUID | None
) -> dict[str, dict[str, Any]]:
    """School id -> attributes, for a provider (or, with ``None``, an analyst: interest in any provider)."""
    cohorts = {row.year: row for row in await _rows(engine, Cohort)}
    if year not in cohorts:
        return {}
    cohort = cohorts[year]
    schools = {row.id: row for row in await _rows(engine, School)}
    details = {
        row.school_id: row for row in await _rows(engine, SchoolCohort, SchoolCohort.__table__.c.cohort_id == cohort.id)
    }
    all_partnerships = await _rows(engine, Partnership)
    partnerships = [p for p in all_partnerships if p.cohort_id == cohort.id]
    periods = await _rows(engine, TrainingPeriod, TrainingPeriod.__table__.c.cohort_id == cohort.id)
    own_partnership_ids = {
        p.id for p in all_partnerships if lead_provider_id is None or p.lead_provider_id == lead_provider_id
    }

    partnered = {p.school_id for p in partnerships}
    partnered_by_caller = {
        p.school_id for p in partnerships if lead_provider_id is None or p.lead_provider_id == lead_provider_id
    }
    programmes: dict[uuid.UUID, set[str]] = defaultdict(set)
    chosen: set[uuid.UUID] = set()
    for period in periods:
        programmes[period.school_id].add(period.training_programme)
        interested = period.expression_of_interest_lead_provider_id
        if lead_provider_id is None:
            if interested is not None or period.partnership_id is not None:
                chosen.add(period.school_id)
        elif interested == lead_provider_id or period.partnership_id in own_partnership_ids:
            chosen.add(period.school_id)

    listed = {school_id for school_id, row in details.items() if row.eligible_for_funding} | partnered
    expected = {}
    for school_id in listed:
        school, detail = schools[school_id], details.get(school_id)
        interest = school_id in partnered_by_caller or school_id in chosen
        kinds = programmes[school_id]
        choice = (
            "provider_led" if "provider_led" in kinds else "school_led" if "school_led" in kinds else "not_yet_known"
        )
        updated_at = max(school.updated_at, detail.updated_at) if detail is not None else school.updated_at
        expected[str(school_id)] = as_json(
            {
                "name": school.name,
                "urn": school.urn,
                "cohort": str(year),
                "in_partnership": school_id in partnered,
                "induction_programme_choice": choice,
                "expression_of_interest": interest,
                "induction_tutor_name": detail.induction_tutor_name if interest and detail is not None else None,
                "induction_tutor_email": detail.induction_tutor_email if interest and detail is not None else None,
                "created_at": school.created_at,
                "updated_at": updated_at,
            }
        )
    return expected


async def expected_partnerships(engine: AsyncEngine, lead_provider_id: uuid.UUID | None) -> dict[str, dict[str, Any]]:
    """Partnership id -> attributes (the newer shape, without the challenge fields), of a provider or of all."""
    today = clock.today()
    years = {row.id: row.year for row in await _rows(engine, Cohort)}
    schools = {row.id: row for row in await _rows(engine, School)}
    partners = {row.id: row.name for row in await _rows(engine, DeliveryPartner)}
    details = {(row.school_id, row.cohort_id): row for row in await _rows(engine, SchoolCohort)}
    participant_of_record = {row.id: row.participant_id for row in await _rows(engine, TrainingRecord)}
    training: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for period in await _rows(engine, TrainingPeriod):
        if period.started_on <= today and (period.finished_on is None or period.finished_on >= today):
            training[period.partnership_id].add(participant_of_record[period.training_record_id])
    expected = {}
    for p in await _rows(engine, Partnership):
        if lead_provider_id is not None and p.lead_provider_id != lead_provider_id:
            continue
        detail = details.get((p.school_id, p.cohort_id))
        expected[str(p.id)] = as_json(
            {
                "cohort": str(years[p.cohort_id]),
                "urn": schools[p.school_id].urn,
                "school_id": p.school_id,
                "delivery_partner_id": p.delivery_partner_id,
                "delivery_partner_name": partners[p.delivery_partner_id],
                "induction_tutor_name": None if detail is None else detail.induction_tutor_name,
                "induction_tutor_email": None if detail is None else detail.induction_tutor_email,
                "participants_currently_training": len(training[p.id]),
                "updated_at": p.updated_at,
                "created_at": p.created_at,
            }
        )
    return expected


async def participants_trained_under(engine: AsyncEngine) -> dict[str, set[str]]:
    """Partnership id -> ids of the participants with a training period under it (at any time)."""
    participant_of = {row.id: row.participant_id for row in await _rows(engine, TrainingRecord)}
    trained: dict[str, set[str]] = defaultdict(set)
    for period in await _rows(engine, TrainingPeriod):
        if period.partnership_id is not None:
            trained[str(period.partnership_id)].add(str(participant_of[period.training_record_id]))
    return trained
