"""DfE finance: closing statements, authorising their payment, and making participants eligible (domain.md sections 6, 7).

Only DfE finance (the admin role) may run these. Every state change is a set
UPDATE, so the ``updated_at`` column default stamps each changed row, and the
statement row is locked before its declarations change: a provider voiding or
declaring at the same moment either finishes first (and is seen) or waits (and
sees the new state).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import Declaration, Statement, TrainingRecord, table_of
from gateway.domain.callers import Caller
from gateway.domain.declarations.payment import PaymentTarget, next_open_output_statements
from gateway.domain.declarations.queries import DeclarationRow, declarations_by_participant
from gateway.domain.errors import NotFound, ValidationFailed
from gateway.domain.keys import chunked, key_in
from gateway.domain.participants.changes import participant_changed
from gateway.domain.statements import StatementRow, get_statement
from gateway.vocabulary import DeclarationState, ParticipantType, StatementStatus

_statements = table_of(Statement)
_declarations = table_of(Declaration)
_records = table_of(TrainingRecord)

STATEMENT_ID = "statement_id"
CUT_OFF_NOT_PASSED = "The statement cannot be marked payable until its cut-off date has passed."
ALREADY_PAYABLE = "The statement has already been marked payable."
ALREADY_PAID = "The statement has already been paid."
NOT_YET_PAYABLE = "The statement must be marked payable before its payment can be authorised."


@dataclass(frozen=True, slots=True)
class TrainingRecordFunding:
    """A training record's funding after DfE finance changed it, with its declarations."""

    id: uuid.UUID
    participant_id: uuid.UUID
    participant_type: ParticipantType
    eligible_for_funding: bool
    updated_at: datetime
    declarations: list[DeclarationRow]


async def _locked_statement(conn: AsyncConnection, statement_id: uuid.UUID):
    found = (
        await conn.execute(
            select(_statements.c.status, _statements.c.cut_off_date)
            .where(_statements.c.id == statement_id)
            .with_for_update()
        )
    ).first()
    if found is None:
        raise NotFound()
    return found


async def _close(conn: AsyncConnection, statement_ids: list[uuid.UUID]) -> None:
    """Open statements become payable, and so do the eligible declarations on them."""
    for chunk in chunked(statement_ids):
        await conn.execute(
            _statements.update()
            .where(key_in(conn, _statements.c.id, chunk))
            .values(status=StatementStatus.PAYABLE.value)
        )
        await conn.execute(
            _declarations.update()
            .where(
                key_in(conn, _declarations.c.statement_id, chunk),
                _declarations.c.state == DeclarationState.ELIGIBLE.value,
            )
            .values(state=DeclarationState.PAYABLE.value)
        )


async def mark_statement_payable(conn: AsyncConnection, caller: Caller, statement_id: uuid.UUID) -> StatementRow:
    caller.require_admin()
    statement = await _locked_statement(conn, statement_id)
    if statement.status == StatementStatus.PAID:
        raise ValidationFailed.single(STATEMENT_ID, ALREADY_PAID)
    if statement.status == StatementStatus.PAYABLE:
        raise ValidationFailed.single(STATEMENT_ID, ALREADY_PAYABLE)
    if statement.cut_off_date >= clock.today():
        raise ValidationFailed.single(STATEMENT_ID, CUT_OFF_NOT_PASSED)
    await _close(conn, [statement_id])
    return await get_statement(conn, caller, statement_id)


async def close_statements(conn: AsyncConnection) -> int:
    """The daily job: every open statement whose cut-off has passed becomes payable. Returns how many did."""
    stmt = (
        select(_statements.c.id)
        .where(_statements.c.status == StatementStatus.OPEN.value, _statements.c.cut_off_date < clock.today())
        .order_by(_statements.c.id)
        .with_for_update()
    )
    statement_ids = list((await conn.execute(stmt)).scalars())
    await _close(conn, statement_ids)
    return len(statement_ids)


async def authorise_payment(conn: AsyncConnection, caller: Caller, statement_id: uuid.UUID) -> StatementRow:
    """Pay a payable statement: its payable declarations are paid, and those awaiting clawback on it are clawed back."""
    caller.require_admin()
    statement = await _locked_statement(conn, statement_id)
    if statement.status == StatementStatus.PAID:
        raise ValidationFailed.single(STATEMENT_ID, ALREADY_PAID)
    if statement.status == StatementStatus.OPEN:
        raise ValidationFailed.single(STATEMENT_ID, NOT_YET_PAYABLE)
    await conn.execute(
        _statements.update()
        .where(_statements.c.id == statement_id)
        .values(status=StatementStatus.PAID.value, paid_at=clock.now())
    )
    await conn.execute(
        _declarations.update()
        .where(_declarations.c.statement_id == statement_id, _declarations.c.state == DeclarationState.PAYABLE.value)
        .values(state=DeclarationState.PAID.value)
    )
    await conn.execute(
        _declarations.update()
        .where(
            _declarations.c.clawback_statement_id == statement_id,
            _declarations.c.state == DeclarationState.AWAITING_CLAWBACK.value,
        )
        .values(state=DeclarationState.CLAWED_BACK.value)
    )
    return await get_statement(conn, caller, statement_id)


async def mark_training_record_eligible(
    conn: AsyncConnection, caller: Caller, training_record_id: uuid.UUID
) -> TrainingRecordFunding:
    """The participant is eligible for funding in this role: its submitted declarations become eligible, each on the
    next open output-fee statement of its lead provider and cohort (one with none to go to stays submitted)."""
    caller.require_admin()
    record = (
        await conn.execute(
            select(_records.c.participant_id, _records.c.eligible_for_funding)
            .where(_records.c.id == training_record_id)
            .with_for_update()
        )
    ).first()
    if record is None:
        raise NotFound()
    if record.eligible_for_funding is not True:
        await conn.execute(
            _records.update().where(_records.c.id == training_record_id).values(eligible_for_funding=True)
        )
        await participant_changed(conn, record.participant_id)

    submitted = (
        await conn.execute(
            select(_declarations.c.id, _declarations.c.lead_provider_id, _declarations.c.cohort_id)
            .where(
                _declarations.c.training_record_id == training_record_id,
                _declarations.c.state == DeclarationState.SUBMITTED.value,
            )
            .with_for_update()
        )
    ).all()
    by_target: dict[PaymentTarget, list[uuid.UUID]] = defaultdict(list)
    for row in submitted:
        by_target[PaymentTarget(row.lead_provider_id, row.cohort_id)].append(row.id)
    statements = await next_open_output_statements(conn, set(by_target))
    for target, declaration_ids in by_target.items():
        if target not in statements:
            continue
        for chunk in chunked(declaration_ids):
            await conn.execute(
                _declarations.update()
                .where(key_in(conn, _declarations.c.id, chunk))
                .values(state=DeclarationState.ELIGIBLE.value, statement_id=statements[target])
            )
    return await _funding(conn, caller, training_record_id, record.participant_id)


async def _funding(
    conn: AsyncConnection, caller: Caller, training_record_id: uuid.UUID, participant_id: uuid.UUID
) -> TrainingRecordFunding:
    record = (
        await conn.execute(
            select(_records.c.participant_type, _records.c.eligible_for_funding, _records.c.updated_at).where(
                _records.c.id == training_record_id
            )
        )
    ).one()
    declarations = (await declarations_by_participant(conn, caller, [participant_id])).get(participant_id, [])
    return TrainingRecordFunding(
        id=training_record_id,
        participant_id=participant_id,
        participant_type=ParticipantType(record.participant_type),
        eligible_for_funding=bool(record.eligible_for_funding),
        updated_at=record.updated_at,
        declarations=[d for d in declarations if d.training_record_id == training_record_id],
    )
