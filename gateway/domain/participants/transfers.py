"""Transfers: participants moving school, read from their training periods (domain.md section 5).

Only the school's word makes a transfer (ECF1's ``BuildTransfers`` starts from
induction records the school marked ``leaving``): per training record, each
stay at a school that the school reported the participant leaving (the last
period of a run at that school carrying ``leaving_on``), paired with the period
that follows it, which is at a different school, or with none yet. A provider's
withdrawal or deferral, a change of schedule and completed training end a
period without a leaving date, so they are never transfers. A caller sees a
transfer when one of its partnerships holds the leaving or the joining period
(analysts: any provider's, or the named one's); one with no joining period only
the leaving side sees. ``transfer_type``: no joining period ``unknown``; a
different lead provider ``new_provider``; else ``new_school``. A period's
provider is its partnership's, or else the provider the school expressed
interest in. ``status``: ``incomplete`` while the leaving date or the joining
``started_on`` is in the future.

The published list has one item per participant, with its visible transfers.
A transfer's ``created_at`` is when its joining period was recorded; with no
joining period, when the leaving one last changed (its end was recorded then).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql import Subquery

from gateway import clock
from gateway.db.tables import LeadProvider, Participant, Partnership, School, TrainingPeriod, TrainingRecord, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, columns_of, count_rows, windowed
from gateway.domain.participants.enrolments import provider_scope
from gateway.domain.participants.queries import DEFAULT_ORDER, SORTABLE, updated_since
from gateway.vocabulary import TransferStatus, TransferType

_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)
_partnerships = table_of(Partnership)
_participants = table_of(Participant)
_schools = table_of(School)
_lead_providers = table_of(LeadProvider)


@dataclass(frozen=True, slots=True)
class TransferFilters:
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts): the transfers this provider sees."""


@dataclass(frozen=True, slots=True)
class TransferSide:
    school_id: uuid.UUID
    school_urn: str
    cohort_id: uuid.UUID
    """The cohort of the period on this side (the key, with ``school_id``, of the school as seen in it)."""
    lead_provider_id: uuid.UUID | None
    provider_name: str | None
    """``None`` for school-led training."""
    date: date
    """Leaving: the leaving date the school reported; joining: the period's ``started_on``."""

    @property
    def school_key(self) -> tuple[uuid.UUID, uuid.UUID]:
        return (self.school_id, self.cohort_id)


@dataclass(frozen=True, slots=True)
class TransferRow:
    participant_id: uuid.UUID
    training_record_id: uuid.UUID
    transfer_type: TransferType
    status: TransferStatus
    leaving: TransferSide
    joining: TransferSide | None
    created_at: datetime


@dataclass(slots=True)
class ParticipantTransfersRow:
    id: uuid.UUID
    """The participant's id."""
    created_at: datetime
    updated_at: datetime
    transfers: list[TransferRow] = field(default_factory=list)


def transfer_type(
    leaving_provider_id: uuid.UUID | None, joining: bool, joining_provider_id: uuid.UUID | None
) -> TransferType:
    if not joining:
        return TransferType.UNKNOWN
    return TransferType.NEW_PROVIDER if leaving_provider_id != joining_provider_id else TransferType.NEW_SCHOOL


def transfer_status(leaving_on: date, joining_started_on: date | None, *, today: date) -> TransferStatus:
    if leaving_on > today or (joining_started_on is not None and joining_started_on > today):
        return TransferStatus.INCOMPLETE
    return TransferStatus.COMPLETE


def _sequenced(
    caller: Caller, lead_provider_id: uuid.UUID | None, participant_ids: Sequence[uuid.UUID] | None, dialect: str
) -> Subquery:
    """Every period of the relevant training records, side by side with the period that follows it."""
    window: dict[str, Any] = {
        "partition_by": _periods.c.training_record_id,
        "order_by": (_periods.c.started_on, _periods.c.created_at, _periods.c.id),
    }

    def following(column: ColumnElement, name: str) -> ColumnElement:
        return func.lead(column, type_=column.type).over(**window).label(name)

    provider = func.coalesce(_partnerships.c.lead_provider_id, _periods.c.expression_of_interest_lead_provider_id)
    stmt = (
        select(
            _periods.c.id,
            _periods.c.training_record_id,
            _records.c.participant_id,
            _periods.c.school_id,
            _periods.c.cohort_id,
            _periods.c.leaving_on,
            _periods.c.updated_at,
            _partnerships.c.lead_provider_id.label("owner_id"),
            provider.label("provider_id"),
            following(_periods.c.id, "next_id"),
            following(_periods.c.school_id, "next_school_id"),
            following(_periods.c.cohort_id, "next_cohort_id"),
            following(_periods.c.started_on, "next_started_on"),
            following(_periods.c.created_at, "next_created_at"),
            following(_partnerships.c.lead_provider_id, "next_owner_id"),
            following(provider, "next_provider_id"),
        )
        .join(_records, _records.c.id == _periods.c.training_record_id)
        .outerjoin(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
    )
    if participant_ids is not None:
        stmt = stmt.where(key_in(dialect, _records.c.participant_id, participant_ids))
    if not caller.reads_everything or lead_provider_id is not None:
        # Only records the caller trains or trained can hold a transfer it sees; whole records are kept, so the
        # window still sees every period of each.
        owned = (
            select(_periods.c.training_record_id)
            .join(_partnerships, _partnerships.c.id == _periods.c.partnership_id)
            .where(provider_scope(caller, lead_provider_id))
            .correlate(None)  # the same tables as the outer query, read afresh
        )
        stmt = stmt.where(_periods.c.training_record_id.in_(owned))
    return stmt.subquery("sequenced_periods")


def _owned_by_caller(owner_id: ColumnElement, caller: Caller, lead_provider_id: uuid.UUID | None) -> ColumnElement:
    if not caller.reads_everything:
        return owner_id == caller.lead_provider_id
    if lead_provider_id is not None:
        return owner_id == lead_provider_id
    return owner_id.is_not(None)


def _transfer_periods(
    caller: Caller,
    lead_provider_id: uuid.UUID | None,
    participant_ids: Sequence[uuid.UUID] | None = None,
    dialect: str = "",
) -> tuple[Select, Subquery]:
    seq = _sequenced(caller, lead_provider_id, participant_ids, dialect)
    stmt = select(seq).where(
        seq.c.leaving_on.is_not(None),
        # The stay's last period: a period that carries on at the same school (a new schedule, a resumption) is not.
        or_(seq.c.next_id.is_(None), seq.c.next_school_id != seq.c.school_id),
        or_(
            _owned_by_caller(seq.c.owner_id, caller, lead_provider_id),
            _owned_by_caller(seq.c.next_owner_id, caller, lead_provider_id),
        ),
    )
    return stmt, seq


async def transfers_by_participant(
    conn: AsyncConnection,
    caller: Caller,
    participant_ids: Sequence[uuid.UUID],
    *,
    lead_provider_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[TransferRow]]:
    """Each participant's transfers visible to the caller, in the order they happened."""
    today = clock.today()
    found: dict[uuid.UUID, list[TransferRow]] = defaultdict(list)
    for chunk in chunked(participant_ids):
        transfers, _ = _transfer_periods(caller, lead_provider_id, chunk, conn.dialect.name)
        t = transfers.subquery("transfers")
        leaving_school, joining_school = _schools.alias("leaving_school"), _schools.alias("joining_school")
        leaving_provider, joining_provider = (
            _lead_providers.alias("leaving_provider"),
            _lead_providers.alias("joining_provider"),
        )
        stmt = (
            select(
                t,
                leaving_school.c.urn.label("leaving_urn"),
                joining_school.c.urn.label("joining_urn"),
                leaving_provider.c.name.label("leaving_provider_name"),
                joining_provider.c.name.label("joining_provider_name"),
            )
            .join(leaving_school, leaving_school.c.id == t.c.school_id)
            .outerjoin(joining_school, joining_school.c.id == t.c.next_school_id)
            .outerjoin(leaving_provider, leaving_provider.c.id == t.c.provider_id)
            .outerjoin(joining_provider, joining_provider.c.id == t.c.next_provider_id)
            .order_by(t.c.leaving_on, t.c.training_record_id, t.c.id)
        )
        for row in await conn.execute(stmt):
            found[row.participant_id].append(_transfer(row, today))
    return found


def _transfer(row, today: date) -> TransferRow:
    leaving = TransferSide(
        row.school_id, row.leaving_urn, row.cohort_id, row.provider_id, row.leaving_provider_name, row.leaving_on
    )
    joining = None
    if row.next_id is not None:
        joining = TransferSide(
            row.next_school_id,
            row.joining_urn,
            row.next_cohort_id,
            row.next_provider_id,
            row.joining_provider_name,
            row.next_started_on,
        )
    return TransferRow(
        participant_id=row.participant_id,
        training_record_id=row.training_record_id,
        transfer_type=transfer_type(row.provider_id, joining is not None, row.next_provider_id),
        status=transfer_status(row.leaving_on, row.next_started_on, today=today),
        leaving=leaving,
        joining=joining,
        created_at=row.next_created_at if joining is not None else row.updated_at,
    )


def _visible_to(caller: Caller, filters: TransferFilters) -> tuple[Select, Subquery]:
    """One row per participant with at least one transfer the caller sees."""
    transfers, seq = _transfer_periods(caller, filters.lead_provider_id)
    visible = (
        select(
            _participants.c.id,
            _participants.c.created_at,
            _participants.c.updated_at,
        )
        .where(_participants.c.id.in_(transfers.with_only_columns(seq.c.participant_id)))
        .subquery("participants_with_transfers")
    )
    return updated_since(visible, filters.updated_since), visible


async def list_participant_transfers(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: TransferFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[ParticipantTransfersRow]:
    stmt, visible = _visible_to(caller, filters)
    rows = (await conn.execute(windowed(stmt, columns_of(visible, SORTABLE), visible.c.id, order, page))).all()
    return await _with_transfers(conn, caller, rows, filters.lead_provider_id)


async def count_participant_transfers(conn: AsyncConnection, caller: Caller, *, filters: TransferFilters) -> int:
    stmt, _ = _visible_to(caller, filters)
    return await count_rows(conn, stmt)


async def get_participant_transfers(
    conn: AsyncConnection, caller: Caller, participant_id: uuid.UUID, *, lead_provider_id: uuid.UUID | None = None
) -> ParticipantTransfersRow:
    """One participant's transfers; ``NotFound`` unless the caller sees at least one."""
    stmt, visible = _visible_to(caller, TransferFilters(lead_provider_id=lead_provider_id))
    rows = (await conn.execute(stmt.where(visible.c.id == participant_id))).all()
    found = await _with_transfers(conn, caller, rows, lead_provider_id)
    if not found:
        raise NotFound()
    return found[0]


async def _with_transfers(
    conn: AsyncConnection, caller: Caller, rows, lead_provider_id: uuid.UUID | None
) -> list[ParticipantTransfersRow]:
    items = [ParticipantTransfersRow(r.id, r.created_at, r.updated_at) for r in rows]
    transfers = await transfers_by_participant(conn, caller, [i.id for i in items], lead_provider_id=lead_provider_id)
    for item in items:
        item.transfers = transfers.get(item.id, [])
    return items
