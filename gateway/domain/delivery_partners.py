"""Delivery partners: those with a provider relationship to the calling lead provider (domain.md section 4)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, DeliveryPartner, ProviderRelationship, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, count_rows, windowed

_dp = table_of(DeliveryPartner)
_rel = table_of(ProviderRelationship)
_cohorts = table_of(Cohort)

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
    """Years (as strings, ascending) of the relationships visible to the caller; left empty when the
    row was read ``with_cohorts=False`` (``cohort_years_by_delivery_partner`` reads them by ``cohorts_key``)."""
    relationships_of: uuid.UUID | None = None
    """The lead provider an analyst named: its relationships are the ones whose cohorts are reported."""

    @property
    def cohort_years(self) -> list[int]:
        return [int(year) for year in self.cohort]

    @property
    def cohorts_key(self) -> tuple[uuid.UUID, uuid.UUID | None]:
        """The key of this partner's cohorts as the caller sees them."""
        return (self.id, self.relationships_of)


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


async def _cohort_years(
    conn: AsyncConnection, caller: Caller, partner_ids: Sequence[uuid.UUID], lead_provider_id: uuid.UUID | None
) -> dict[uuid.UUID, list[str]]:
    years: dict[uuid.UUID, set[int]] = defaultdict(set)
    for ids in chunked(partner_ids):
        stmt = _relationships_visible_to(caller, lead_provider_id).where(key_in(conn, _rel.c.delivery_partner_id, ids))
        for partner_id, year in await conn.execute(stmt):
            years[partner_id].add(year)
    return {partner_id: [str(y) for y in sorted(found)] for partner_id, found in years.items()}


async def cohort_years_by_delivery_partner(
    conn: AsyncConnection, caller: Caller, keys: Sequence[tuple[uuid.UUID, uuid.UUID | None]]
) -> dict[tuple[uuid.UUID, uuid.UUID | None], list[str]]:
    """The cohorts (years as strings, ascending) of each partner's relationships visible to the caller, keyed
    by ``DeliveryPartnerRow.cohorts_key``; a partner with none is absent."""
    by_scope: dict[uuid.UUID | None, list[uuid.UUID]] = defaultdict(list)
    for partner_id, lead_provider_id in keys:
        by_scope[lead_provider_id].append(partner_id)
    found: dict[tuple[uuid.UUID, uuid.UUID | None], list[str]] = {}
    for lead_provider_id, partner_ids in by_scope.items():
        for partner_id, years in (await _cohort_years(conn, caller, partner_ids, lead_provider_id)).items():
            found[(partner_id, lead_provider_id)] = years
    return found


async def _with_cohorts(
    conn: AsyncConnection,
    caller: Caller,
    rows,
    lead_provider_id: uuid.UUID | None = None,
    *,
    with_cohorts: bool = True,
) -> list[DeliveryPartnerRow]:
    """``with_cohorts=False``: the rows keep an empty ``cohort``, for a caller that reads it only when asked for."""
    relationships_of = lead_provider_id if caller.reads_everything else None
    partners = [
        DeliveryPartnerRow(
            id=r.id, name=r.name, created_at=r.created_at, updated_at=r.updated_at, relationships_of=relationships_of
        )
        for r in rows
    ]
    if with_cohorts:
        years = await _cohort_years(conn, caller, [p.id for p in partners], lead_provider_id)
        for partner in partners:
            partner.cohort = years.get(partner.id, [])
    return partners


async def list_delivery_partners(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: DeliveryPartnerFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
    with_cohorts: bool = True,
) -> list[DeliveryPartnerRow]:
    stmt = windowed(_visible_to(caller, filters), SORTABLE, _dp.c.id, order, page)
    rows = (await conn.execute(stmt)).all()
    return await _with_cohorts(conn, caller, rows, filters.lead_provider_id, with_cohorts=with_cohorts)


async def count_delivery_partners(conn: AsyncConnection, caller: Caller, *, filters: DeliveryPartnerFilters) -> int:
    return await count_rows(conn, _visible_to(caller, filters))


async def get_delivery_partner(
    conn: AsyncConnection, caller: Caller, delivery_partner_id: uuid.UUID, *, with_cohorts: bool = True
) -> DeliveryPartnerRow:
    found = await delivery_partners_by_id(
        conn, caller, [delivery_partner_id], visible_only=True, with_cohorts=with_cohorts
    )
    return one_found(found, delivery_partner_id)


async def delivery_partners_by_id(
    conn: AsyncConnection,
    caller: Caller,
    ids: Sequence[uuid.UUID],
    *,
    visible_only: bool = False,
    with_cohorts: bool = True,
) -> dict[uuid.UUID, DeliveryPartnerRow]:
    """Delivery partners by id. Relations (a partnership's or a declaration's partner) reach any
    partner the related record names; ``visible_only`` restricts to the caller's own partners."""
    base = (
        _visible_to(caller, DeliveryPartnerFilters())
        if visible_only
        else select(_dp.c.id, _dp.c.name, _dp.c.created_at, _dp.c.updated_at)
    )
    rows: list[Any] = []
    for chunk in chunked(ids):
        rows.extend((await conn.execute(base.where(key_in(conn, _dp.c.id, chunk)))).all())
    return {p.id: p for p in await _with_cohorts(conn, caller, rows, with_cohorts=with_cohorts)}
