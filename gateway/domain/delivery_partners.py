"""Delivery partners: those with a provider relationship to the calling lead provider (domain.md section 4)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, DeliveryPartner, ProviderRelationship
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, count_rows, windowed

_dp = DeliveryPartner.__table__
_rel = ProviderRelationship.__table__
_cohorts = Cohort.__table__

SORTABLE = {"created_at": _dp.c.created_at, "updated_at": _dp.c.updated_at}
DEFAULT_ORDER = (SortKey("created_at"),)


@dataclass(frozen=True, slots=True)
class DeliveryPartnerFilters:
    cohort_years: Sequence[int] | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts)."""


@dataclass(slots=True)
class DeliveryPartnerRow:
    id: uuid.UUID
    name: str
    created_at: datetime
    updated_at: datetime
    cohort: list[str] = field(default_factory=list)
    """Years (as strings, ascending) of the relationships visible to the caller."""

    @property
    def cohort_years(self) -> list[int]:
        return [int(year) for year in self.cohort]


def _relationships_visible_to(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> Select:
    stmt = select(_rel.c.delivery_partner_id, _cohorts.c.year).join(_cohorts, _cohorts.c.id == _rel.c.cohort_id)
    if not caller.reads_everything:
        stmt = stmt.where(_rel.c.lead_provider_id == caller.lead_provider_id)
    elif lead_provider_id is not None:
        stmt = stmt.where(_rel.c.lead_provider_id == lead_provider_id)
    return stmt


def _visible_to(caller: Caller, filters: DeliveryPartnerFilters) -> Select:
    relationships = _relationships_visible_to(caller, filters.lead_provider_id)
    if filters.cohort_years is not None:
        relationships = relationships.where(_cohorts.c.year.in_(filters.cohort_years))
    partner_ids = relationships.with_only_columns(_rel.c.delivery_partner_id)
    return select(_dp.c.id, _dp.c.name, _dp.c.created_at, _dp.c.updated_at).where(_dp.c.id.in_(partner_ids))


async def _with_cohorts(
    conn: AsyncConnection, caller: Caller, rows, lead_provider_id: uuid.UUID | None = None
) -> list[DeliveryPartnerRow]:
    partners = [
        DeliveryPartnerRow(id=r.id, name=r.name, created_at=r.created_at, updated_at=r.updated_at) for r in rows
    ]
    years: dict[uuid.UUID, set[int]] = defaultdict(set)
    for ids in chunked([p.id for p in partners]):
        stmt = _relationships_visible_to(caller, lead_provider_id).where(key_in(conn, _rel.c.delivery_partner_id, ids))
        for partner_id, year in await conn.execute(stmt):
            years[partner_id].add(year)
    for partner in partners:
        partner.cohort = [str(y) for y in sorted(years[partner.id])]
    return partners


async def list_delivery_partners(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: DeliveryPartnerFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[DeliveryPartnerRow]:
    stmt = windowed(_visible_to(caller, filters), SORTABLE, _dp.c.id, order, page)
    return await _with_cohorts(conn, caller, (await conn.execute(stmt)).all(), filters.lead_provider_id)


async def count_delivery_partners(conn: AsyncConnection, caller: Caller, *, filters: DeliveryPartnerFilters) -> int:
    return await count_rows(conn, _visible_to(caller, filters))


async def get_delivery_partner(
    conn: AsyncConnection, caller: Caller, delivery_partner_id: uuid.UUID
) -> DeliveryPartnerRow:
    found = await delivery_partners_by_id(conn, caller, [delivery_partner_id], visible_only=True)
    return one_found(found, delivery_partner_id)


async def delivery_partners_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID], *, visible_only: bool = False
) -> dict[uuid.UUID, DeliveryPartnerRow]:
    """Delivery partners by id. Relations (a partnership's or a declaration's partner) reach any
    partner the related record names; ``visible_only`` restricts to the caller's own partners."""
    base = (
        _visible_to(caller, DeliveryPartnerFilters())
        if visible_only
        else select(_dp.c.id, _dp.c.name, _dp.c.created_at, _dp.c.updated_at)
    )
    rows = []
    for chunk in chunked(ids):
        rows.extend((await conn.execute(base.where(key_in(conn, _dp.c.id, chunk)))).all())
    return {p.id: p for p in await _with_cohorts(conn, caller, rows)}
