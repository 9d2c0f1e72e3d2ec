"""The floor: the sync page and the participant lookup by hand-written SQL (three statements) + dicts + orjson.

Bench-only. It reads the same rows the GraphQL sync query reads (participants
trained under the provider's partnerships, the latest training period of each
training record with its school, delivery partner and schedule, the provider's
declarations) with no scoping layer, no loaders and no GraphQL, to show what
the data costs by itself on this server.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import (
    Cohort,
    DeliveryPartner,
    LeadProviderParticipant,
    Participant,
    Partnership,
    Schedule,
    School,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.db.tables import Declaration as DeclarationTable
from gateway.domain.keys import key_in

_p = table_of(Participant)
_tr = table_of(TrainingRecord)
_tp = table_of(TrainingPeriod)
_pa = table_of(Partnership)
_s = table_of(School)
_c = table_of(Cohort)
_dp = table_of(DeliveryPartner)
_sc = table_of(Schedule)
_d = table_of(DeclarationTable)
_lpp = table_of(LeadProviderParticipant)


def _name(value: str | None) -> str | None:
    """A stored value as its GraphQL enum name ("left-teaching-profession" -> "LEFT_TEACHING_PROFESSION")."""
    return None if value is None else value.upper().replace("-", "_")


def _visible(lead_provider_id: uuid.UUID):
    """The provider's participants, through the table the database keeps of them (migration 0006)."""
    return (
        select(_p.c.id, _p.c.full_name, _p.c.teacher_reference_number, _p.c.created_at, _p.c.updated_at)
        .join(_lpp, _lpp.c.participant_id == _p.c.id)
        .where(_lpp.c.lead_provider_id == lead_provider_id)
    )


async def sync_page(conn: AsyncConnection, lead_provider_id: uuid.UUID, first: int) -> dict[str, Any]:
    participants = (
        await conn.execute(
            _visible(lead_provider_id).order_by(_lpp.c.participant_created_at, _lpp.c.participant_id).limit(first)
        )
    ).all()
    nodes = await _nodes(conn, lead_provider_id, participants)
    return {"data": {"participants": {"edges": [{"node": node} for node in nodes]}}}


async def participant(conn: AsyncConnection, lead_provider_id: uuid.UUID, participant_id: uuid.UUID) -> dict[str, Any]:
    found = (await conn.execute(_visible(lead_provider_id).where(_p.c.id == participant_id))).all()
    nodes = await _nodes(conn, lead_provider_id, found)
    return {"data": {"participant": nodes[0] if nodes else None}}


async def _nodes(
    conn: AsyncConnection, lead_provider_id: uuid.UUID, participants: Sequence[Any]
) -> list[dict[str, Any]]:
    ids = [row.id for row in participants]
    if not ids:
        return []
    enrolments = await _enrolments(conn, lead_provider_id, ids)
    declarations = await _declarations(conn, lead_provider_id, ids)
    return [
        {
            "id": str(row.id),
            "fullName": row.full_name,
            "teacherReferenceNumber": row.teacher_reference_number,
            "createdAt": row.created_at,
            "updatedAt": row.updated_at,
            "enrolments": enrolments[row.id],
            "declarations": declarations[row.id],
        }
        for row in participants
    ]


async def _enrolments(
    conn: AsyncConnection, lead_provider_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict]]:
    ranked = (
        select(
            _tp,
            func.row_number()
            .over(partition_by=_tp.c.training_record_id, order_by=(_tp.c.started_on.desc(), _tp.c.created_at.desc()))
            .label("rank"),
        )
        .join(_pa, _pa.c.id == _tp.c.partnership_id)
        .join(_tr, _tr.c.id == _tp.c.training_record_id)
        .where(_pa.c.lead_provider_id == lead_provider_id, key_in(conn, _tr.c.participant_id, ids))
        .subquery()
    )
    stmt = (
        select(
            _tr.c.participant_id,
            _tr.c.id,
            _tr.c.participant_type,
            _tr.c.eligible_for_funding,
            _tr.c.pupil_premium_uplift,
            _tr.c.sparsity_uplift,
            _tr.c.induction_end_date,
            _tr.c.mentor_funding_end_date,
            _tr.c.created_at,
            ranked.c.email,
            ranked.c.mentor_id,
            ranked.c.started_on,
            ranked.c.finished_on,
            ranked.c.withdrawn_at,
            ranked.c.withdrawal_reason,
            ranked.c.deferred_at,
            ranked.c.deferral_reason,
            _s.c.id.label("school_id"),
            _s.c.urn,
            _s.c.name.label("school_name"),
            _c.c.year,
            _dp.c.id.label("delivery_partner_id"),
            _dp.c.name.label("delivery_partner_name"),
            _sc.c.identifier,
        )
        .select_from(ranked)
        .join(_tr, _tr.c.id == ranked.c.training_record_id)
        .join(_s, _s.c.id == ranked.c.school_id)
        .join(_c, _c.c.id == ranked.c.cohort_id)
        .join(_pa, _pa.c.id == ranked.c.partnership_id)
        .join(_dp, _dp.c.id == _pa.c.delivery_partner_id)
        .outerjoin(_sc, _sc.c.id == ranked.c.schedule_id)
        .where(ranked.c.rank == 1)
        .order_by(_tr.c.participant_id, _tr.c.participant_type)
    )
    found: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for r in await conn.execute(stmt):
        status = "WITHDRAWN" if r.withdrawn_at else "DEFERRED" if r.deferred_at else "ACTIVE"
        found[r.participant_id].append(
            {
                "trainingRecordId": str(r.id),
                "email": r.email,
                "mentorId": r.mentor_id and str(r.mentor_id),
                "schoolUrn": r.urn,
                "participantType": _name(r.participant_type),
                "cohort": str(r.year),
                "trainingStatus": status,
                "eligibleForFunding": r.eligible_for_funding,
                "pupilPremiumUplift": r.pupil_premium_uplift,
                "sparsityUplift": r.sparsity_uplift,
                "scheduleIdentifier": _name(r.identifier),
                "deliveryPartnerId": str(r.delivery_partner_id),
                "withdrawal": {"reason": _name(r.withdrawal_reason), "date": r.withdrawn_at}
                if r.withdrawn_at
                else None,
                "deferral": {"reason": _name(r.deferral_reason), "date": r.deferred_at} if r.deferred_at else None,
                "createdAt": r.created_at,
                "inductionEndDate": r.induction_end_date,
                "mentorFundingEndDate": r.mentor_funding_end_date,
                "startedOn": r.started_on,
                "finishedOn": r.finished_on,
                "school": {"id": str(r.school_id), "urn": r.urn, "name": r.school_name},
                "deliveryPartner": {"id": str(r.delivery_partner_id), "name": r.delivery_partner_name},
            }
        )
    return found


async def _declarations(
    conn: AsyncConnection, lead_provider_id: uuid.UUID, ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[dict]]:
    stmt = (
        select(
            _d.c.participant_id,
            _d.c.id,
            _d.c.declaration_type,
            _d.c.declaration_date,
            _d.c.course_identifier,
            _d.c.state,
            _d.c.statement_id,
            _d.c.clawback_statement_id,
            _d.c.delivery_partner_id,
            _d.c.mentor_id,
            _d.c.evidence_held,
            _d.c.has_passed,
            _d.c.lead_provider_name,
            _d.c.created_at,
            _d.c.updated_at,
        )
        .where(_d.c.lead_provider_id == lead_provider_id, key_in(conn, _d.c.participant_id, ids))
        .order_by(_d.c.created_at, _d.c.id)
    )
    found: dict[uuid.UUID, list[dict]] = defaultdict(list)
    for r in await conn.execute(stmt):
        found[r.participant_id].append(
            {
                "id": str(r.id),
                "declarationType": _name(r.declaration_type),
                "declarationDate": r.declaration_date,
                "courseIdentifier": _name(r.course_identifier),
                "state": _name(r.state),
                "statementId": r.statement_id and str(r.statement_id),
                "clawbackStatementId": r.clawback_statement_id and str(r.clawback_statement_id),
                "deliveryPartnerId": r.delivery_partner_id and str(r.delivery_partner_id),
                "mentorId": r.mentor_id and str(r.mentor_id),
                "evidenceHeld": _name(r.evidence_held),
                "hasPassed": r.has_passed,
                "leadProviderName": r.lead_provider_name,
                "createdAt": r.created_at,
                "updatedAt": r.updated_at,
            }
        )
    return found
