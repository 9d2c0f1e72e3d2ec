"""Statements: a lead provider's monthly payment statements per cohort (domain.md section 7).

A lead provider sees only its own output-fee statements (the ones declarations
are paid on); analysts and DfE finance see every statement.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, false, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, Statement, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in
from gateway.domain.paging import Page, SortKey, count_rows, ordered, windowed
from gateway.vocabulary import StatementStatus

_statements = table_of(Statement)
_cohorts = table_of(Cohort)

SORTABLE = {
    "payment_date": _statements.c.payment_date,
    "created_at": _statements.c.created_at,
    "updated_at": _statements.c.updated_at,
}
DEFAULT_ORDER = (SortKey("payment_date"),)

STATEMENT_TYPE = "ecf"
"""The only statement type of the API's ECF side; asking for any other finds nothing."""

_MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class StatementFilters:
    cohort_years: Sequence[int] | None = None
    types: Sequence[str] | None = None
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data (analysts)."""


@dataclass(frozen=True, slots=True)
class StatementRow:
    id: uuid.UUID
    lead_provider_id: uuid.UUID
    cohort_id: uuid.UUID
    month: int
    year: int
    cut_off_date: date
    payment_date: date
    output_fee: bool
    status: str
    paid_at: datetime | None
    created_at: datetime
    updated_at: datetime
    cohort: int
    """The year of the cohort the statement funds."""

    @property
    def paid(self) -> bool:
        return self.status == StatementStatus.PAID

    @property
    def month_name(self) -> str:
        """The month as it appears on the statement in the DfE portal (English, whatever the locale)."""
        return _MONTH_NAMES[self.month - 1]

    @property
    def type(self) -> str:
        return STATEMENT_TYPE


_COLUMNS = [
    *(_statements.c[name] for name in StatementRow.__dataclass_fields__ if name != "cohort"),
    _cohorts.c.year.label("cohort"),
]


def _visible_to(caller: Caller, lead_provider_id: uuid.UUID | None = None) -> Select:
    stmt = select(*_COLUMNS).select_from(_statements.join(_cohorts, _cohorts.c.id == _statements.c.cohort_id))
    if not caller.reads_everything:
        return stmt.where(
            _statements.c.lead_provider_id == caller.require_lead_provider(), _statements.c.output_fee.is_(True)
        )
    if lead_provider_id is not None:
        return stmt.where(_statements.c.lead_provider_id == lead_provider_id)
    return stmt


def _where_cohort(stmt: Select, years: Sequence[int] | None) -> Select:
    return stmt if years is None else stmt.where(_cohorts.c.year.in_(list(years)))


def _where_type(stmt: Select, types: Sequence[str] | None) -> Select:
    return stmt if types is None or STATEMENT_TYPE in types else stmt.where(false())


def _where_updated_since(stmt: Select, moment: datetime | None) -> Select:
    return stmt if moment is None else stmt.where(_statements.c.updated_at >= moment)


def _filtered(caller: Caller, filters: StatementFilters) -> Select:
    stmt = _visible_to(caller, filters.lead_provider_id)
    stmt = _where_cohort(stmt, filters.cohort_years)
    stmt = _where_type(stmt, filters.types)
    return _where_updated_since(stmt, filters.updated_since)


async def list_statements(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: StatementFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[StatementRow]:
    stmt = windowed(_filtered(caller, filters), SORTABLE, _statements.c.id, order, page)
    return [StatementRow(*r) for r in await conn.execute(stmt)]


async def count_statements(conn: AsyncConnection, caller: Caller, *, filters: StatementFilters) -> int:
    return await count_rows(conn, _filtered(caller, filters))


async def get_statement(conn: AsyncConnection, caller: Caller, statement_id: uuid.UUID) -> StatementRow:
    found = await statements_by_id(conn, caller, [statement_id])
    return one_found(found, statement_id)


async def statements_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, StatementRow]:
    found: dict[uuid.UUID, StatementRow] = {}
    for chunk in chunked(ids):
        for r in await conn.execute(_visible_to(caller).where(key_in(conn, _statements.c.id, chunk))):
            found[r.id] = StatementRow(*r)
    return found


async def statements_by_lead_provider(
    conn: AsyncConnection, caller: Caller, lead_provider_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StatementRow]]:
    """Each lead provider's statements visible to the caller, by payment date."""
    found: dict[uuid.UUID, list[StatementRow]] = defaultdict(list)
    for chunk in chunked(lead_provider_ids):
        stmt = ordered(
            _visible_to(caller).where(key_in(conn, _statements.c.lead_provider_id, chunk)),
            SORTABLE,
            _statements.c.id,
            DEFAULT_ORDER,
        )
        for r in await conn.execute(stmt):
            found[r.lead_provider_id].append(StatementRow(*r))
    return found
