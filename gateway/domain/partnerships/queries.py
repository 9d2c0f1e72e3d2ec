"""Reading partnerships: a lead provider reads its own; analysts read every provider's (domain.md section 4)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import (
    Cohort,
    DeliveryPartner,
    Partnership,
    School,
    SchoolCohort,
    TrainingPeriod,
    TrainingRecord,
    table_of,
)
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, count_rows, ordered, windowed

_partnerships = table_of(Partnership)
_schools = table_of(School)
_school_cohorts = table_of(SchoolCohort)
_cohorts = table_of(Cohort)
_delivery_partners = table_of(DeliveryPartner)
_periods = table_of(TrainingPeriod)
_records = table_of(TrainingRecord)

SORTABLE: dict[str, ColumnElement] = {
    "created_at": _partnerships.c.created_at,
    "updated_at": _partnerships.c.updated_at,
}
DEFAULT_ORDER = (SortKey("created_at"),)


@dataclass(frozen=True, slots=True)
class PartnershipFilters:
    cohort_years: Sequence[int] | None = None
    delivery_partner_ids: Sequence[uuid.UUID] | None = None
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts)."""


@dataclass(frozen=True, slots=True)
class PartnershipRow:
    id: uuid.UUID
    cohort: int
    cohort_id: uuid.UUID
    school_id: uuid.UUID
    urn: str
    delivery_partner_id: uuid.UUID
    delivery_partner_name: str
    lead_provider_id: uuid.UUID
    induction_tutor_name: str | None
    induction_tutor_email: str | None
    participants_currently_training: int
    created_at: datetime
    updated_at: datetime

    @property
    def school_cohort_key(self) -> tuple[uuid.UUID, uuid.UUID]:
        """The key of the partnership's school as seen in the partnership's cohort."""
        return (self.school_id, self.cohort_id)


def _participants_currently_training() -> ColumnElement[int]:
    """Participants with a training period on the partnership whose ``[started_on, finished_on]`` contains today.

    Counted once each: a participant withdrawn and resumed on the same day has two
    such periods (the old one finishes today, the new one starts today).
    """
    today = clock.today()
    return (
        select(func.count(func.distinct(_records.c.participant_id)))
        .join_from(_periods, _records, _records.c.id == _periods.c.training_record_id)
        .where(
            _periods.c.partnership_id == _partnerships.c.id,
            _periods.c.started_on <= today,
            or_(_periods.c.finished_on.is_(None), _periods.c.finished_on >= today),
        )
        .scalar_subquery()
    )


def _readable() -> Select:
    """Every partnership with what is published of it; scoping is added by ``_visible_to``."""
    return select(
        _partnerships.c.id,
        _cohorts.c.year.label("cohort"),
        _partnerships.c.cohort_id,
        _partnerships.c.school_id,
        _schools.c.urn,
        _partnerships.c.delivery_partner_id,
        _delivery_partners.c.name.label("delivery_partner_name"),
        _partnerships.c.lead_provider_id,
        _school_cohorts.c.induction_tutor_name,
        _school_cohorts.c.induction_tutor_email,
        _participants_currently_training().label("participants_currently_training"),
        _partnerships.c.created_at,
        _partnerships.c.updated_at,
    ).select_from(
        _partnerships.join(_cohorts, _cohorts.c.id == _partnerships.c.cohort_id)
        .join(_schools, _schools.c.id == _partnerships.c.school_id)
        .join(_delivery_partners, _delivery_partners.c.id == _partnerships.c.delivery_partner_id)
        .outerjoin(
            _school_cohorts,
            and_(
                _school_cohorts.c.school_id == _partnerships.c.school_id,
                _school_cohorts.c.cohort_id == _partnerships.c.cohort_id,
            ),
        )
    )


def _visible_to(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> Select:
    stmt = _readable()
    if not caller.reads_everything:
        return stmt.where(_partnerships.c.lead_provider_id == caller.lead_provider_id)
    if lead_provider_id is not None:
        return stmt.where(_partnerships.c.lead_provider_id == lead_provider_id)
    return stmt


def _filtered(caller: Caller, filters: PartnershipFilters) -> Select:
    stmt = _visible_to(caller, filters.lead_provider_id)
    stmt = _where_cohort(stmt, filters.cohort_years)
    stmt = _where_delivery_partner(stmt, filters.delivery_partner_ids)
    return _where_updated_since(stmt, filters.updated_since)


def _where_cohort(stmt: Select, years: Sequence[int] | None) -> Select:
    return stmt if years is None else stmt.where(_cohorts.c.year.in_(list(years)))


def _where_delivery_partner(stmt: Select, ids: Sequence[uuid.UUID] | None) -> Select:
    return stmt if ids is None else stmt.where(_partnerships.c.delivery_partner_id.in_(list(ids)))


def _where_updated_since(stmt: Select, since: datetime | None) -> Select:
    return stmt if since is None else stmt.where(_partnerships.c.updated_at >= since)


def _row(row) -> PartnershipRow:
    return PartnershipRow(*row)


async def list_partnerships(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: PartnershipFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[PartnershipRow]:
    stmt = windowed(_filtered(caller, filters), SORTABLE, _partnerships.c.id, order, page)
    return [_row(row) for row in await conn.execute(stmt)]


async def count_partnerships(conn: AsyncConnection, caller: Caller, *, filters: PartnershipFilters) -> int:
    return await count_rows(conn, _filtered(caller, filters))


async def get_partnership(conn: AsyncConnection, caller: Caller, partnership_id: uuid.UUID) -> PartnershipRow:
    """The caller's partnership; ``NotFound`` for another provider's, exactly as for a missing one."""
    row = (await conn.execute(_visible_to(caller).where(_partnerships.c.id == partnership_id))).first()
    if row is None:
        raise NotFound()
    return _row(row)


async def partnerships_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, PartnershipRow]:
    """The caller's partnerships by id; another provider's are absent, as missing ones are."""
    found: dict[uuid.UUID, PartnershipRow] = {}
    for chunk in chunked(ids):
        for row in await conn.execute(_visible_to(caller).where(key_in(conn, _partnerships.c.id, chunk))):
            found[row.id] = _row(row)
    return found


async def partnerships_by_school_and_cohort(
    conn: AsyncConnection, caller: Caller, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], list[PartnershipRow]]:
    """The caller's partnerships of each ``(school_id, cohort_id)``, oldest first."""
    wanted = set(keys)
    found: dict[tuple[uuid.UUID, uuid.UUID], list[PartnershipRow]] = defaultdict(list)
    cohort_ids = list({cohort_id for _, cohort_id in wanted})
    # One array parameter per column (see schools_by_id_and_cohort); pairs not asked for are dropped.
    for school_ids in chunked([school_id for school_id, _ in wanted]):
        stmt = _visible_to(caller).where(
            key_in(conn, _partnerships.c.school_id, school_ids), key_in(conn, _partnerships.c.cohort_id, cohort_ids)
        )
        for row in await conn.execute(ordered(stmt, SORTABLE, _partnerships.c.id, DEFAULT_ORDER)):
            partnership = _row(row)
            if partnership.school_cohort_key in wanted:
                found[partnership.school_cohort_key].append(partnership)
    return dict(found)


async def partnerships_by_delivery_partner(
    conn: AsyncConnection, caller: Caller, delivery_partner_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[PartnershipRow]]:
    """The caller's partnerships with each delivery partner, oldest first."""
    found: dict[uuid.UUID, list[PartnershipRow]] = defaultdict(list)
    for chunk in chunked(delivery_partner_ids):
        stmt = _visible_to(caller).where(key_in(conn, _partnerships.c.delivery_partner_id, chunk))
        for row in await conn.execute(ordered(stmt, SORTABLE, _partnerships.c.id, DEFAULT_ORDER)):
            found[row.delivery_partner_id].append(_row(row))
    return dict(found)
