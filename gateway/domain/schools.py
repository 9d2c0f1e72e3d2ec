"""Schools, always seen in one cohort (domain.md section 4).

A school is listed in a cohort when it is eligible for funding in that cohort,
or when any lead provider has a partnership with it in that cohort (a school
that became ineligible keeps its partnerships visible). What the caller reads
of it depends on the cohort (partnership, programme choice, induction tutor)
and on the caller: ``expression_of_interest`` is about the calling lead
provider, and the induction tutor is only shown when it is true.

Callers who read every provider's data (analysts) see the expression of
interest of any provider, or of the one they name with ``lead_provider_id``.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from sqlalchemy import ColumnElement, Select, and_, bindparam, case, exists, false, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import Cohort, Partnership, School, SchoolCohort, TrainingPeriod, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.filters import parse_cohort_years
from gateway.domain.keys import chunked, key_param
from gateway.domain.paging import Page, SortKey, count_rows, windowed
from gateway.vocabulary import InductionProgrammeChoice, TrainingProgramme

_schools = table_of(School)
_school_cohorts = table_of(SchoolCohort)
_cohorts = table_of(Cohort)
_partnerships = table_of(Partnership)
_periods = table_of(TrainingPeriod)

# The record a provider reads combines the school and its facts for the cohort (eligibility,
# induction tutor), so it has changed when either has.
_updated_at = case(
    (_school_cohorts.c.updated_at > _schools.c.updated_at, _school_cohorts.c.updated_at), else_=_schools.c.updated_at
)

SORTABLE: dict[str, ColumnElement] = {"created_at": _schools.c.created_at, "updated_at": _updated_at}
DEFAULT_ORDER = (SortKey("created_at"),)


@dataclass(frozen=True, slots=True)
class SchoolFilters:
    cohort_year: int | None
    """The one cohort the schools are seen in; ``None`` (a value that is not a year) matches nothing."""
    urn: str | None = None
    updated_since: datetime | None = None
    lead_provider_id: uuid.UUID | None = None
    """Only for callers who read every provider's data: whose expression of interest to report."""


@dataclass(frozen=True, slots=True)
class SchoolCohortFlags:
    """What a school's cohort facts say to the caller: partnership, programme choice, interest, induction tutor.
    Read apart from the school itself (``school_cohort_flags``) by readers that may not need them."""

    in_partnership: bool
    induction_programme_choice: InductionProgrammeChoice
    expression_of_interest: bool
    induction_tutor_name: str | None
    induction_tutor_email: str | None


@dataclass(frozen=True, slots=True)
class SchoolRow:
    id: uuid.UUID
    urn: str
    name: str
    cohort: int
    cohort_id: uuid.UUID
    created_at: datetime
    updated_at: datetime
    interest_of: uuid.UUID | None
    """The lead provider whose expression of interest the flags report (None: an analyst, any provider's)."""
    flags: SchoolCohortFlags | None = None
    """None when read ``with_flags=False``: ``school_cohort_flags`` reads them by ``flags_key``."""

    @property
    def school_cohort_key(self) -> tuple[uuid.UUID, uuid.UUID]:
        """The key of this school's partnerships in its cohort."""
        return (self.id, self.cohort_id)

    @property
    def flags_key(self) -> FlagsKey:
        return (self.id, self.cohort_id, self.interest_of)

    def _flags(self) -> SchoolCohortFlags:
        if self.flags is None:
            raise LookupError("school read without its cohort flags")
        return self.flags

    @property
    def in_partnership(self) -> bool:
        return self._flags().in_partnership

    @property
    def induction_programme_choice(self) -> InductionProgrammeChoice:
        return self._flags().induction_programme_choice

    @property
    def expression_of_interest(self) -> bool:
        return self._flags().expression_of_interest

    @property
    def induction_tutor_name(self) -> str | None:
        return self._flags().induction_tutor_name

    @property
    def induction_tutor_email(self) -> str | None:
        return self._flags().induction_tutor_email


FlagsKey = tuple[uuid.UUID, uuid.UUID, uuid.UUID | None]
"""``SchoolRow.flags_key``: school, cohort, and whose expression of interest."""


def parse_school_cohort(value: str) -> int | None:
    """The cohort schools are requested in: one year. Anything else (a list, a word) matches nothing."""
    years = parse_cohort_years([value])
    return years[0] if len(years) == 1 else None


Within = Callable[[ColumnElement], ColumnElement[bool]]
"""Narrows a subquery to the schools its statement asks for, given the subquery table's school column: the
flags of a page's schools then read those schools' periods and partnerships, not every school's (an EXISTS
in a select list may be planned as a hash over its whole table, built once per execution)."""


def _bounds(within: Within | None, column: ColumnElement) -> list[ColumnElement[bool]]:
    return [] if within is None else [within(column)]


def _partnered(lead_provider_id: uuid.UUID | None = None, within: Within | None = None) -> ColumnElement[bool]:
    """The school has a partnership in the cohort (of the given lead provider, or of any)."""
    conditions = [_partnerships.c.school_id == _schools.c.id, _partnerships.c.cohort_id == _cohorts.c.id]
    if lead_provider_id is not None:
        conditions.append(_partnerships.c.lead_provider_id == lead_provider_id)
    return exists().where(*conditions, *_bounds(within, _partnerships.c.school_id))


def _has_period(*conditions: ColumnElement[bool], within: Within | None = None) -> ColumnElement[bool]:
    """Some training period at the school in the cohort meets ``conditions``."""
    return exists().where(
        _periods.c.school_id == _schools.c.id,
        _periods.c.cohort_id == _cohorts.c.id,
        *conditions,
        *_bounds(within, _periods.c.school_id),
    )


def _expression_of_interest(lead_provider_id: uuid.UUID | None, within: Within | None = None) -> ColumnElement[bool]:
    """A training period chose the provider (interest or partnership); stays true once the provider partners the school."""
    if lead_provider_id is None:  # an analyst looking at every provider
        chosen = or_(
            _periods.c.expression_of_interest_lead_provider_id.is_not(None), _periods.c.partnership_id.is_not(None)
        )
        return or_(_partnered(within=within), _has_period(chosen, within=within))
    own_partnerships = select(_partnerships.c.id).where(
        _partnerships.c.lead_provider_id == lead_provider_id, *_bounds(within, _partnerships.c.school_id)
    )
    chosen = or_(
        _periods.c.expression_of_interest_lead_provider_id == lead_provider_id,
        _periods.c.partnership_id.in_(own_partnerships),
    )
    return or_(_partnered(lead_provider_id, within), _has_period(chosen, within=within))


def _induction_programme_choice(within: Within | None = None) -> ColumnElement[str]:
    return case(
        (
            _has_period(_periods.c.training_programme == TrainingProgramme.PROVIDER_LED.value, within=within),
            InductionProgrammeChoice.PROVIDER_LED.value,
        ),
        (
            _has_period(_periods.c.training_programme == TrainingProgramme.SCHOOL_LED.value, within=within),
            InductionProgrammeChoice.SCHOOL_LED.value,
        ),
        else_=InductionProgrammeChoice.NOT_YET_KNOWN.value,
    )


# A school as seen in a cohort, read by a statement about another record (an enrolment) that names the school and
# the cohort: join ``schools`` on the school, ``school_cohorts`` on ``school_cohort_of``, select ``JOINED_COLUMNS``
# after the record's school id, urn, cohort year and cohort id, and build the row with ``joined_school``.
JOINED_COLUMNS = (
    _schools.c.name.label("school_name"),
    _schools.c.created_at.label("school_created_at"),
    _updated_at.label("school_updated_at"),
)


def school_cohort_of(school_id: ColumnElement, cohort_id: ColumnElement) -> ColumnElement[bool]:
    return and_(_school_cohorts.c.school_id == school_id, _school_cohorts.c.cohort_id == cohort_id)


def joined_school(
    caller: Caller,
    id: uuid.UUID,
    urn: str,
    cohort: int,
    cohort_id: uuid.UUID,
    name: str,
    created_at: datetime,
    updated_at: datetime,
) -> SchoolRow:
    """The row ``schools_by_id_and_cohort`` reads for ``(id, cohort_id)``, without its flags."""
    return SchoolRow(id, urn, name, cohort, cohort_id, created_at, updated_at, caller.provider_seen_as())


def _school_in_cohort_from():
    return _schools.join(_cohorts, true()).outerjoin(
        _school_cohorts,
        and_(_school_cohorts.c.school_id == _schools.c.id, _school_cohorts.c.cohort_id == _cohorts.c.id),
    )


_SCHOOL_COLUMNS = (
    _schools.c.id,
    _schools.c.urn,
    _schools.c.name,
    _cohorts.c.year.label("cohort"),
    _cohorts.c.id.label("cohort_id"),
    _schools.c.created_at,
    _updated_at.label("updated_at"),
)


def _flag_columns(interested: uuid.UUID | None, within: Within | None = None) -> tuple[ColumnElement, ...]:
    return (
        _partnered(within=within).label("in_partnership"),
        _induction_programme_choice(within).label("induction_programme_choice"),
        _expression_of_interest(interested, within).label("expression_of_interest"),
        _school_cohorts.c.induction_tutor_name,
        _school_cohorts.c.induction_tutor_email,
    )


def _in_cohort(caller: Caller, lead_provider_id: uuid.UUID | None = None, *, with_flags: bool = True) -> Select:
    """Every school in every cohort, with what the caller reads of it there (its flags only ``with_flags``)."""
    flags = _flag_columns(caller.provider_seen_as(lead_provider_id)) if with_flags else ()
    return select(*_SCHOOL_COLUMNS, *flags).select_from(_school_in_cohort_from())


def _flags_of(row) -> SchoolCohortFlags:
    interested = bool(row.expression_of_interest)
    return SchoolCohortFlags(
        in_partnership=bool(row.in_partnership),
        induction_programme_choice=InductionProgrammeChoice(row.induction_programme_choice),
        expression_of_interest=interested,
        # The induction tutor is shared with providers the school chose, never with the others.
        induction_tutor_name=row.induction_tutor_name if interested else None,
        induction_tutor_email=row.induction_tutor_email if interested else None,
    )


def _row(row, interest_of: uuid.UUID | None, *, with_flags: bool = True) -> SchoolRow:
    return SchoolRow(
        id=row.id,
        urn=row.urn,
        name=row.name,
        cohort=row.cohort,
        cohort_id=row.cohort_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        interest_of=interest_of,
        flags=_flags_of(row) if with_flags else None,
    )


def _visible_to(caller: Caller, filters: SchoolFilters, *, with_flags: bool = True) -> Select:
    stmt = _in_cohort(caller, filters.lead_provider_id, with_flags=with_flags).where(
        or_(_school_cohorts.c.eligible_for_funding.is_(True), _partnered())
    )
    stmt = _where_cohort(stmt, filters.cohort_year)
    stmt = _where_urn(stmt, filters.urn)
    return _where_updated_since(stmt, filters.updated_since)


def _where_cohort(stmt: Select, year: int | None) -> Select:
    return stmt.where(false()) if year is None else stmt.where(_cohorts.c.year == year)


def _where_urn(stmt: Select, urn: str | None) -> Select:
    if urn is None:
        return stmt
    if "\x00" in urn:  # no URN holds a NUL, and PostgreSQL refuses one in a text parameter
        return stmt.where(false())
    return stmt.where(_schools.c.urn == urn.strip())


def _where_updated_since(stmt: Select, since: datetime | None) -> Select:
    return stmt if since is None else stmt.where(_updated_at >= since)


async def list_schools(
    conn: AsyncConnection,
    caller: Caller,
    *,
    filters: SchoolFilters,
    order: Sequence[SortKey] = DEFAULT_ORDER,
    page: Page,
    with_flags: bool = True,
) -> list[SchoolRow]:
    stmt = windowed(_visible_to(caller, filters, with_flags=with_flags), SORTABLE, _schools.c.id, order, page)
    interest_of = caller.provider_seen_as(filters.lead_provider_id)
    return [_row(row, interest_of, with_flags=with_flags) for row in await conn.execute(stmt)]


async def count_schools(conn: AsyncConnection, caller: Caller, *, filters: SchoolFilters) -> int:
    return await count_rows(conn, _visible_to(caller, filters, with_flags=False))


async def get_school(
    conn: AsyncConnection,
    caller: Caller,
    school_id: uuid.UUID,
    *,
    cohort_year: int | None,
    lead_provider_id: uuid.UUID | None = None,
    with_flags: bool = True,
) -> SchoolRow:
    """The school as listed in the cohort; ``NotFound`` when it is not listed there (or the cohort does not exist)."""
    filters = SchoolFilters(cohort_year=cohort_year, lead_provider_id=lead_provider_id)
    stmt = _visible_to(caller, filters, with_flags=with_flags).where(_schools.c.id == school_id)
    row = (await conn.execute(stmt)).first()
    if row is None:
        raise NotFound()
    return _row(row, caller.provider_seen_as(lead_provider_id), with_flags=with_flags)


def _where_keys(dialect_name: str, stmt: Select) -> Select:
    # One key list per column keeps one array parameter per column on PostgreSQL; pairs not asked
    # for (the cross product of the two lists) are dropped by the caller. Keys of a page share few cohorts.
    return stmt.where(
        key_param(dialect_name, _schools.c.id, "school_ids"), key_param(dialect_name, _cohorts.c.id, "cohort_ids")
    )


# Built once per shape (dialect, and for the flags whether one provider's interest is asked for), executed
# with new keys: a request spends no time building or compiling them (SQLAlchemy memoizes a statement's
# cache key, and the engine's compiled cache holds its SQL).
@cache
def _schools_by_key_statement(dialect_name: str) -> Select:
    return _where_keys(dialect_name, select(*_SCHOOL_COLUMNS).select_from(_school_in_cohort_from()))


@cache
def _flags_by_key_statement(dialect_name: str, one_provider: bool) -> Select:
    interested = bindparam("interest_of", type_=_partnerships.c.lead_provider_id.type) if one_provider else None

    def within(school_column: ColumnElement) -> ColumnElement[bool]:
        return key_param(dialect_name, school_column, "school_ids")

    stmt = select(_schools.c.id, _cohorts.c.id.label("cohort_id"), *_flag_columns(interested, within))  # type: ignore[arg-type]  # a bind parameter stands for the provider's id in a statement built once per shape
    return _where_keys(dialect_name, stmt.select_from(_school_in_cohort_from()))


async def schools_by_id_and_cohort(
    conn: AsyncConnection, caller: Caller, keys: Sequence[tuple[uuid.UUID, uuid.UUID]]
) -> dict[tuple[uuid.UUID, uuid.UUID], SchoolRow]:
    """Schools as seen in a cohort, keyed by ``(school_id, cohort_id)``, without their flags (read them
    by ``flags_key`` with ``school_cohort_flags``, when needed).

    Relations (a partnership's school) reach the school the related record
    names, whether or not it is listed in the cohort.
    """
    wanted = set(keys)
    found: dict[tuple[uuid.UUID, uuid.UUID], SchoolRow] = {}
    cohort_ids = list({cohort_id for _, cohort_id in wanted})
    interest_of = caller.provider_seen_as()
    stmt = _schools_by_key_statement(conn.dialect.name)
    for school_ids in chunked([school_id for school_id, _ in wanted]):
        for row in await conn.execute(stmt, {"school_ids": school_ids, "cohort_ids": cohort_ids}):
            if (row.id, row.cohort_id) in wanted:
                found[(row.id, row.cohort_id)] = _row(row, interest_of, with_flags=False)
    return found


async def school_cohort_flags(
    conn: AsyncConnection, caller: Caller, keys: Sequence[FlagsKey]
) -> dict[FlagsKey, SchoolCohortFlags]:
    """The flags of schools in cohorts, keyed by ``SchoolRow.flags_key``. A lead provider always reads its
    own expression of interest, whatever a key names."""
    by_interest: dict[uuid.UUID | None, set[tuple[uuid.UUID, uuid.UUID]]] = {}
    for school_id, cohort_id, interest_of in keys:
        by_interest.setdefault(interest_of, set()).add((school_id, cohort_id))
    found: dict[FlagsKey, SchoolCohortFlags] = {}
    for interest_of, wanted in by_interest.items():
        interested = caller.provider_seen_as(interest_of)
        stmt = _flags_by_key_statement(conn.dialect.name, interested is not None)
        cohort_ids = list({cohort_id for _, cohort_id in wanted})
        for school_ids in chunked([school_id for school_id, _ in wanted]):
            params = {"school_ids": school_ids, "cohort_ids": cohort_ids, "interest_of": interested}
            for row in await conn.execute(stmt, params):
                if (row.id, row.cohort_id) in wanted:
                    found[(row.id, row.cohort_id, interest_of)] = _flags_of(row)
    return found
