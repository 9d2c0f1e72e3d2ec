"""Reading declarations: which ones a caller sees, filtered and paged, and batched lookups for loaders.

A lead provider sees its own declarations, and other providers' billable ones
of participants it trains or trained, dated up to the end of its time with them
(release note of 7 July 2023: a provider taking over a transferred participant
needs to know what was already claimed). Analysts see every declaration.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import BindParameter, ColumnElement, Date, Select, and_, bindparam, exists, literal_column, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from gateway.db.tables import Cohort, Declaration, Partnership, TrainingPeriod, TrainingRecord, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import one_found
from gateway.domain.keys import chunked, key_in, key_param
from gateway.domain.paging import Page, SortKey, count_rows, ordered, windowed
from gateway.vocabulary import BILLABLE_STATES, CourseIdentifier, DeclarationState, DeclarationType

_declarations = table_of(Declaration)
_records = table_of(TrainingRecord)
_cohorts = table_of(Cohort)
_periods = table_of(TrainingPeriod)
_partnerships = table_of(Partnership)

SORTABLE = {"created_at": _declarations.c.created_at, "updated_at": _declarations.c.updated_at}
DEFAULT_ORDER = (SortKey("created_at"),)

UPLIFT_PAID_STATES = (DeclarationState.PAID, DeclarationState.AWAITING_CLAWBACK, DeclarationState.CLAWED_BACK)


def uplift_paid(
    *, declaration_type: str, course_identifier: str, state: str, pupil_premium_uplift: bool, sparsity_uplift: bool
) -> bool:
    """An uplift is paid with an ECT's started declaration once that declaration has been paid
    (clawing it back later does not unpay it), when the training record carries an uplift."""
    return (
        course_identifier == CourseIdentifier.ECF_INDUCTION
        and declaration_type == DeclarationType.STARTED
        and state in UPLIFT_PAID_STATES
        and (pupil_premium_uplift or sparsity_uplift)
    )


@dataclass(frozen=True, slots=True)
class DeclarationFilters:
    cohort_years: Sequence[int] | None = None
    participant_ids: Sequence[uuid.UUID] | None = None
    delivery_partner_ids: Sequence[uuid.UUID] | None = None
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data: what that lead provider sees."""


@dataclass(slots=True)
class DeclarationRow:
    # Not frozen, built positionally: a sync page builds about 18,000 of these, and a frozen
    # dataclass's __init__ (object.__setattr__ per field) took seven times as long.
    id: uuid.UUID
    participant_id: uuid.UUID
    declaration_type: str
    declaration_date: datetime
    course_identifier: str
    state: str
    updated_at: datetime
    created_at: datetime
    delivery_partner_id: uuid.UUID | None
    statement_id: uuid.UUID | None
    clawback_statement_id: uuid.UUID | None
    ineligible_for_funding_reason: str | None
    mentor_id: uuid.UUID | None
    evidence_held: str | None
    has_passed: bool | None
    lead_provider_name: str
    lead_provider_id: uuid.UUID
    training_record_id: uuid.UUID
    cohort_id: uuid.UUID
    cohort: int
    """The year of the declaration's cohort."""
    uplift_paid: bool


# The stored columns in field order, then what is joined: the cohort's year (a field) and the
# record's uplifts (read by the uplift rule, the last field).
_STORED = [name for name in DeclarationRow.__dataclass_fields__ if name not in ("cohort", "uplift_paid")]
_COLUMNS = [
    *(_declarations.c[name] for name in _STORED),
    _cohorts.c.year.label("cohort"),
    _records.c.pupil_premium_uplift,
    _records.c.sparsity_uplift,
]


def _from_clause():
    return _declarations.join(_cohorts, _cohorts.c.id == _declarations.c.cohort_id).join(
        _records, _records.c.id == _declarations.c.training_record_id
    )


_PARTICIPANT, _TYPE, _COURSE, _STATE = (
    _STORED.index(name) for name in ("participant_id", "declaration_type", "course_identifier", "state")
)
"""Positions in a row of ``select(*_COLUMNS)``: a sync page reads about 6,000 rows, and reading a Row's column by
name costs fifteen times its position (half of building each DeclarationRow)."""


def declaration_row(record) -> DeclarationRow:
    """A row of ``select(*_COLUMNS)`` as a ``DeclarationRow``."""
    *stored, pupil_premium_uplift, sparsity_uplift = record
    paid = uplift_paid(
        declaration_type=stored[_TYPE],
        course_identifier=stored[_COURSE],
        state=stored[_STATE],
        pupil_premium_uplift=pupil_premium_uplift,
        sparsity_uplift=sparsity_uplift,
    )
    return DeclarationRow(*stored, paid)  # type: ignore[call-arg]  # stored holds the row's leading columns in field order


class _utc_day(FunctionElement):
    """The UTC calendar day of a stored UTC date-time (PostgreSQL's own cast would use the session's zone)."""

    type = Date()
    inherit_cache = True


@compiles(_utc_day)
def _utc_day_default(element, compiler, **kw):  # SQLite keeps naive UTC text
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(_utc_day, "postgresql")
def _utc_day_postgresql(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


# The states written into the SQL itself: a list of bound values is expanded into the statement's text again at
# each execution (SQLAlchemy's "post compile" step, a visible part of a lookup's CPU).
_BILLABLE = _declarations.c.state.in_([literal_column(f"'{state.value}'") for state in BILLABLE_STATES])


def _made_by_another_billable(lead_provider_id: uuid.UUID | BindParameter[uuid.UUID]) -> ColumnElement[bool]:
    return and_(_declarations.c.lead_provider_id != lead_provider_id, _BILLABLE)


def _during_its_training(lead_provider_id: uuid.UUID | BindParameter[uuid.UUID]) -> list[ColumnElement[bool]]:
    """The declaration's training record has a training period under one of the provider's partnerships, and the
    declaration is dated on or before that period's last day."""
    return [
        _periods.c.training_record_id == _declarations.c.training_record_id,
        _partnerships.c.id == _periods.c.partnership_id,
        _partnerships.c.lead_provider_id == lead_provider_id,
        or_(_periods.c.finished_on.is_(None), _utc_day(_declarations.c.declaration_date) <= _periods.c.finished_on),
    ]


def _seen_by(
    lead_provider_id: uuid.UUID | BindParameter[uuid.UUID], within: ColumnElement[bool] | None
) -> ColumnElement[bool]:
    """A provider sees its own declarations, and other providers' billable declarations of a participant it
    trains in that role, dated within that training.

    The second arm takes one of two forms with the same meaning. A statement bounded by ``within`` (a page's
    participants, a batch of ids or statements) checks it on each row it reads (a correlated EXISTS, looked at
    only for other providers' rows): an ``IN (subquery)`` there walked the batch's declarations a second time
    (a sync page's statement at scale 100: 75 -> 42 ms on SQLite, 36 -> 21 ms on PostgreSQL). A whole list
    finds the set once instead, from the provider's partnerships: per row, it would look at every other
    provider's declaration in the table."""
    own = _declarations.c.lead_provider_id == lead_provider_id
    if within is None:
        others = (
            select(_declarations.c.id)
            .select_from(_partnerships, _periods, _declarations)
            .where(_made_by_another_billable(lead_provider_id), *_during_its_training(lead_provider_id))
            .correlate(None)
        )
        return or_(own, _declarations.c.id.in_(others))
    during = exists().where(*_during_its_training(lead_provider_id)).correlate(_declarations)
    return or_(own, and_(_made_by_another_billable(lead_provider_id), during))


def _visible_to(
    caller: Caller, lead_provider_id: uuid.UUID | None = None, *, within: ColumnElement[bool] | None = None
) -> Select:
    """The declarations the caller sees; ``within`` (a condition on declarations) narrows the statement."""
    stmt = select(*_COLUMNS).select_from(_from_clause())
    if within is not None:
        stmt = stmt.where(within)
    if not caller.reads_everything:
        return stmt.where(_seen_by(caller.require_lead_provider(), within))
    if lead_provider_id is not None:
        return stmt.where(_seen_by(lead_provider_id, within))
    return stmt


def _where_cohort(stmt: Select, years: Sequence[int] | None) -> Select:
    return stmt if years is None else stmt.where(_cohorts.c.year.in_(list(years)))


def _where_delivery_partner(stmt: Select, ids: Sequence[uuid.UUID] | None) -> Select:
    return stmt if ids is None else stmt.where(_declarations.c.delivery_partner_id.in_(list(ids)))


def _where_updated_since(stmt: Select, moment: datetime | None) -> Select:
    return stmt if moment is None else stmt.where(_declarations.c.updated_at >= moment)


def _filtered(caller: Caller, filters: DeclarationFilters) -> Select:
    within = (
        None if filters.participant_ids is None else _declarations.c.participant_id.in_(list(filters.participant_ids))
    )
    stmt = _visible_to(caller, filters.lead_provider_id, within=within)
    stmt = _where_cohort(stmt, filters.cohort_years)
    stmt = _where_delivery_partner(stmt, filters.delivery_partner_ids)
    return _where_updated_since(stmt, filters.updated_since)


async def list_declarations(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: DeclarationFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
) -> list[DeclarationRow]:
    stmt = windowed(_filtered(caller, filters), SORTABLE, _declarations.c.id, order, page)
    return [declaration_row(r) for r in await conn.execute(stmt)]


async def count_declarations(conn: AsyncConnection, caller: Caller, *, filters: DeclarationFilters) -> int:
    return await count_rows(conn, _filtered(caller, filters))


async def get_declaration(conn: AsyncConnection, caller: Caller, declaration_id: uuid.UUID) -> DeclarationRow:
    found = await declarations_by_id(conn, caller, [declaration_id])
    return one_found(found, declaration_id)


async def declarations_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, DeclarationRow]:
    found: dict[uuid.UUID, DeclarationRow] = {}
    for chunk in chunked(ids):
        for r in await conn.execute(_visible_to(caller, within=key_in(conn, _declarations.c.id, chunk))):
            found[r.id] = declaration_row(r)
    return found


@cache
def _by_participant_statement(dialect_name: str, scoped: bool) -> Select:
    """Built once per shape (dialect, and whether one provider's view is asked for) and executed with new
    keys, so a request spends no time building it (SQLAlchemy memoizes its cache key; the engine's
    compiled cache holds its SQL)."""
    lead_provider_id = bindparam("lead_provider_id", type_=_declarations.c.lead_provider_id.type) if scoped else None
    within = key_param(dialect_name, _declarations.c.participant_id, "participant_ids")
    stmt = select(*_COLUMNS).select_from(_from_clause()).where(within)
    if lead_provider_id is not None:
        stmt = stmt.where(_seen_by(lead_provider_id, within))
    return ordered(stmt, SORTABLE, _declarations.c.id, DEFAULT_ORDER)


async def declarations_by_participant(
    conn: AsyncConnection, caller: Caller, participant_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DeclarationRow]]:
    """Each participant's declarations visible to the caller, oldest first."""
    found: dict[uuid.UUID, list[DeclarationRow]] = defaultdict(list)
    lead_provider_id = None if caller.reads_everything else caller.require_lead_provider()
    stmt = _by_participant_statement(conn.dialect.name, lead_provider_id is not None)
    for chunk in chunked(participant_ids):
        for r in await conn.execute(stmt, {"participant_ids": chunk, "lead_provider_id": lead_provider_id}):
            found[r[_PARTICIPANT]].append(declaration_row(r))
    return found


async def declarations_by_statement(
    conn: AsyncConnection, caller: Caller, statement_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[DeclarationRow]]:
    """The declarations paid, or clawed back, on each statement (visible to the caller), oldest first."""
    found: dict[uuid.UUID, list[DeclarationRow]] = defaultdict(list)
    for chunk in chunked(statement_ids):
        on_statement = or_(
            key_in(conn, _declarations.c.statement_id, chunk),
            key_in(conn, _declarations.c.clawback_statement_id, chunk),
        )
        stmt = ordered(_visible_to(caller, within=on_statement), SORTABLE, _declarations.c.id, DEFAULT_ORDER)
        wanted = set(chunk)
        for r in await conn.execute(stmt):
            row = declaration_row(r)
            for statement_id in {row.statement_id, row.clawback_statement_id} & wanted:
                found[statement_id].append(row)  # type: ignore[index]  # rows and bind parameters in a statement built once per shape: the keys asked for are never None
    return found
