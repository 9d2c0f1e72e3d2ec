"""The monthly statements of one lead provider and cohort (domain.md section 7), and where declarations land on them.

One statement a month from January of the cohort year until ``MONTHS_AHEAD``
months after today: cut-off on the last day of the previous month, payment on
the 25th, output fees in January, April, August and November.

Status follows today. DfE finance authorises statements in order, and the
sandbox pretends its last run came just before the latest output-fee statement
whose cut-off has passed: earlier statements whose payment date has passed are
paid; that output-fee statement and every later one whose cut-off has passed are
payable; the rest are open. So on any day there is one payable output-fee
statement (not only between a cut-off and the 25th), and payable declarations
always have somewhere to be.
"""

from __future__ import annotations

import bisect
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from gateway.vocabulary import StatementStatus

OUTPUT_FEE_MONTHS = frozenset({1, 4, 8, 11})
MONTHS_AHEAD = 20
PAYMENT_DAY = 25


@dataclass(frozen=True, slots=True)
class StatementMonth:
    year: int
    month: int
    cut_off_date: date
    payment_date: date
    output_fee: bool


@dataclass(frozen=True, slots=True)
class PlacedStatement:
    """A statement with its status today."""

    id: uuid.UUID
    month: StatementMonth
    status: StatementStatus

    @property
    def cut_off_date(self) -> date:
        return self.month.cut_off_date

    @property
    def paid_at(self) -> datetime | None:
        if self.status is not StatementStatus.PAID:
            return None
        payment = self.month.payment_date
        return datetime(payment.year, payment.month, payment.day, 12, tzinfo=UTC)

    @property
    def closed_at(self) -> datetime:
        """When the statement stopped taking declarations (the morning after its cut-off)."""
        day = self.month.cut_off_date + timedelta(days=1)
        return datetime(day.year, day.month, day.day, 6, tzinfo=UTC)


def _month_after(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def statement_months(cohort_year: int, today: date) -> list[StatementMonth]:
    last_year, last_month = _month_after(today.year, today.month, MONTHS_AHEAD)
    months = []
    year, month = cohort_year, 1
    while (year, month) <= (last_year, last_month):
        first_of_month = date(year, month, 1)
        months.append(
            StatementMonth(
                year=year,
                month=month,
                cut_off_date=first_of_month - timedelta(days=1),
                payment_date=first_of_month.replace(day=PAYMENT_DAY),
                output_fee=month in OUTPUT_FEE_MONTHS,
            )
        )
        year, month = _month_after(year, month, 1)
    return months


def statement_statuses(months: list[StatementMonth], today: date) -> list[StatementStatus]:
    passed_output = [m for m in months if m.output_fee and m.cut_off_date < today]
    authorised_before = min(today, passed_output[-1].payment_date) if passed_output else today
    statuses = []
    for m in months:
        if m.payment_date < authorised_before:
            statuses.append(StatementStatus.PAID)
        elif m.cut_off_date < today:
            statuses.append(StatementStatus.PAYABLE)
        else:
            statuses.append(StatementStatus.OPEN)
    return statuses


class StatementBook:
    """The output-fee statements of one lead provider and cohort, in cut-off order, for placing declarations."""

    def __init__(self, output_statements: list[PlacedStatement], today: date) -> None:
        self._statements = output_statements
        self._cut_offs = [s.cut_off_date for s in output_statements]
        self._today = today

    def covering(self, day: date) -> PlacedStatement | None:
        """The first output-fee statement whose cut-off is on or after ``day``, whatever its status."""
        i = bisect.bisect_left(self._cut_offs, day)
        return self._statements[i] if i < len(self._statements) else None

    def first_with_status(self, status: StatementStatus, *, on_or_after: date) -> PlacedStatement | None:
        i = bisect.bisect_left(self._cut_offs, on_or_after)
        for statement in self._statements[i:]:
            if statement.status is status:
                return statement
        return None

    def opened_at(self, statement: PlacedStatement) -> datetime | None:
        """When ``statement`` became the one new declarations land on: just after the previous cut-off."""
        i = bisect.bisect_left(self._cut_offs, statement.cut_off_date)
        return self._statements[i - 1].closed_at if i > 0 else None

    def open_now(self) -> PlacedStatement | None:
        """Where a declaration made today lands: the open output-fee statement with the earliest cut-off on or after today."""
        return self.first_with_status(StatementStatus.OPEN, on_or_after=self._today)
