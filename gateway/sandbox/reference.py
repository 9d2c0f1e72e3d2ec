"""What every other sandbox row refers to: cohorts, providers, schedules and statements.

Each of these rows takes its id from its name (``lead_provider_id("Teach First")``,
``cohort_id(2025)``, ``schedule_id(2025, ScheduleIdentifier.STANDARD_SEPTEMBER)``),
so tests can name them without a query.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache

from gateway.sandbox.batch import Batch
from gateway.sandbox.ids import at, stable_id
from gateway.sandbox.schedules import MilestoneWindow, milestone_windows, schedule_name
from gateway.sandbox.statements import PlacedStatement, StatementBook, statement_months, statement_statuses
from gateway.vocabulary import DeclarationType, ScheduleIdentifier, StatementStatus

COHORT_YEARS = tuple(range(2021, 2027))
REGISTRATION_OPEN_FROM = 2024
NEW_RULES_FROM = 2025  # mentor funding and detailed evidence types
PAYMENTS_FROZEN_AT = {
    2021: datetime(2024, 6, 18, tzinfo=UTC),
    2022: datetime(2025, 6, 16, tzinfo=UTC),
}

AMBITION = "Ambition Institute"
BEST_PRACTICE_NETWORK = "Best Practice Network"
EDUCATION_DEVELOPMENT_TRUST = "Education Development Trust"
TEACH_FIRST = "Teach First"
UCL = "UCL Early Career Teacher Education"
LEAD_PROVIDER_NAMES = (AMBITION, BEST_PRACTICE_NETWORK, EDUCATION_DEVELOPMENT_TRUST, TEACH_FIRST, UCL)

_ALL = COHORT_YEARS

# Who works for whom, and in which cohorts. Some stop, some start, some work for two providers at once.
DELIVERY_PARTNERS: tuple[tuple[str, dict[str, tuple[int, ...]]], ...] = (
    ("Northern Lights Teaching School Hub", {AMBITION: _ALL, TEACH_FIRST: (2024, 2025, 2026)}),
    ("Pennine Learning Partnership", {BEST_PRACTICE_NETWORK: _ALL}),
    ("Severn Vale Education Alliance", {EDUCATION_DEVELOPMENT_TRUST: _ALL}),
    ("Coastal Schools Teaching Hub", {TEACH_FIRST: _ALL}),
    ("Cambridge Fens Teaching School Hub", {UCL: _ALL}),
    ("Midlands Inspire Teaching Hub", {AMBITION: _ALL}),
    ("Kent and Medway Learning Alliance", {BEST_PRACTICE_NETWORK: _ALL, UCL: (2025, 2026)}),
    ("Peak District Teaching Partnership", {EDUCATION_DEVELOPMENT_TRUST: _ALL}),
    ("Bristol Harbour Learning Trust", {TEACH_FIRST: _ALL}),
    ("Cumbria Fells Education Partnership", {UCL: _ALL}),
    ("Mersey Teaching Hub", {AMBITION: (2021, 2022, 2023)}),
    (
        "Solent Schools Partnership",
        {BEST_PRACTICE_NETWORK: (2021, 2022, 2023), EDUCATION_DEVELOPMENT_TRUST: (2024, 2025, 2026)},
    ),
    ("Yorkshire Ridings Teaching Alliance", {EDUCATION_DEVELOPMENT_TRUST: (2022, 2023, 2024, 2025, 2026)}),
    ("Chiltern Hills Learning Partnership", {TEACH_FIRST: (2021, 2022), UCL: (2023, 2024, 2025, 2026)}),
    ("Thames Valley Teaching School Hub", {AMBITION: (2025, 2026)}),
)
DELIVERY_PARTNER_NAMES = tuple(name for name, _ in DELIVERY_PARTNERS)
DELIVERY_PARTNER_OF_TWO_PROVIDERS = "Northern Lights Teaching School Hub"  # Ambition and Teach First, 2024-2026
DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS = "Mersey Teaching Hub"  # Ambition, 2021-2023 only


@cache  # deriving an id seeds a generator: too slow to repeat for every bulk row
def cohort_id(year: int) -> uuid.UUID:
    return stable_id("cohort", year)


@cache  # deriving an id seeds a generator: too slow to repeat for every bulk row
def lead_provider_id(name: str) -> uuid.UUID:
    return stable_id("lead provider", name)


@cache  # deriving an id seeds a generator: too slow to repeat for every bulk row
def delivery_partner_id(name: str) -> uuid.UUID:
    return stable_id("delivery partner", name)


@cache  # deriving an id seeds a generator: too slow to repeat for every bulk row
def schedule_id(year: int, identifier: ScheduleIdentifier) -> uuid.UUID:
    return stable_id("schedule", year, identifier.value)


@dataclass(frozen=True, slots=True)
class CohortFacts:
    year: int
    starts_on: date
    registration_open: bool
    payments_frozen_at: datetime | None
    mentor_funding: bool
    detailed_evidence_types: bool

    @property
    def id(self) -> uuid.UUID:
        return cohort_id(self.year)


COHORTS = {
    year: CohortFacts(
        year=year,
        starts_on=date(year, 6, 1),
        registration_open=year >= REGISTRATION_OPEN_FROM,
        payments_frozen_at=PAYMENTS_FROZEN_AT.get(year),
        mentor_funding=year >= NEW_RULES_FROM,
        detailed_evidence_types=year >= NEW_RULES_FROM,
    )
    for year in COHORT_YEARS
}


def _stamps(moment: datetime) -> dict[str, datetime]:
    return {"created_at": moment, "updated_at": moment}


class Reference:
    """The reference rows (in ``batch``) and the lookups the cases and the bulk need."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.batch = Batch()
        self._delivery_partners: dict[tuple[str, int], list[str]] = {}
        self._windows: dict[tuple[int, ScheduleIdentifier], dict[DeclarationType, MilestoneWindow]] = {}
        self._books: dict[tuple[str, int], StatementBook] = {}
        self._add_cohorts()
        self._add_providers()
        self._add_schedules()
        self._add_statements()

    # Lookups

    def delivery_partners_of(self, lead_provider: str, year: int) -> list[str]:
        return self._delivery_partners.get((lead_provider, year), [])

    def windows(self, year: int, identifier: ScheduleIdentifier) -> dict[DeclarationType, MilestoneWindow]:
        return self._windows[(year, identifier)]

    def book(self, lead_provider: str, year: int) -> StatementBook:
        return self._books[(lead_provider, year)]

    # Rows

    def _add_cohorts(self) -> None:
        for facts in COHORTS.values():
            self.batch.add(
                "cohorts",
                {
                    "id": facts.id,
                    "year": facts.year,
                    "starts_on": facts.starts_on,
                    "registration_open": facts.registration_open,
                    "payments_frozen_at": facts.payments_frozen_at,
                    "mentor_funding": facts.mentor_funding,
                    "detailed_evidence_types": facts.detailed_evidence_types,
                    **_stamps(at(date(facts.year - 1, 11, 1))),
                },
            )

    def _add_providers(self) -> None:
        for i, name in enumerate(LEAD_PROVIDER_NAMES):
            self.batch.add(
                "lead_providers",
                {"id": lead_provider_id(name), "name": name, **_stamps(at(date(2020, 10, 1), seconds=i))},
            )
        for i, (dp_name, work) in enumerate(DELIVERY_PARTNERS):
            self.batch.add(
                "delivery_partners",
                {"id": delivery_partner_id(dp_name), "name": dp_name, **_stamps(at(date(2020, 10, 5), seconds=i))},
            )
            for lp_name, years in work.items():
                for year in years:
                    self._delivery_partners.setdefault((lp_name, year), []).append(dp_name)
                    self.batch.add(
                        "provider_relationships",
                        {
                            "id": stable_id("provider relationship", lp_name, dp_name, year),
                            "lead_provider_id": lead_provider_id(lp_name),
                            "delivery_partner_id": delivery_partner_id(dp_name),
                            "cohort_id": cohort_id(year),
                            **_stamps(at(date(year - 1, 12, 1), seconds=i)),
                        },
                    )

    def _add_schedules(self) -> None:
        for year in COHORT_YEARS:
            created = _stamps(at(date(year - 1, 12, 1)))
            for identifier in ScheduleIdentifier:
                self.batch.add(
                    "schedules",
                    {
                        "id": schedule_id(year, identifier),
                        "cohort_id": cohort_id(year),
                        "identifier": identifier.value,
                        "name": schedule_name(identifier),
                        **created,
                    },
                )
                windows = milestone_windows(year, identifier)
                self._windows[(year, identifier)] = {w.declaration_type: w for w in windows}
                for window in windows:
                    self.batch.add(
                        "milestones",
                        {
                            "id": stable_id("milestone", year, identifier.value, window.declaration_type.value),
                            "schedule_id": schedule_id(year, identifier),
                            "declaration_type": window.declaration_type.value,
                            "start_date": window.start_date,
                            "milestone_date": window.milestone_date,
                            **created,
                        },
                    )

    def _add_statements(self) -> None:
        for lp_name in LEAD_PROVIDER_NAMES:
            for year in COHORT_YEARS:
                months = statement_months(year, self.today)
                placed = []
                for index, (month, status) in enumerate(
                    zip(months, statement_statuses(months, self.today), strict=True)
                ):
                    statement = PlacedStatement(
                        stable_id("statement", lp_name, year, month.year, month.month), month, status
                    )
                    created_at = at(date(year - 1, 12, 1), seconds=index)
                    if status is StatementStatus.PAID:
                        updated_at = statement.paid_at
                    elif status is StatementStatus.PAYABLE:
                        updated_at = statement.closed_at
                    else:
                        updated_at = created_at
                    self.batch.add(
                        "statements",
                        {
                            "id": statement.id,
                            "lead_provider_id": lead_provider_id(lp_name),
                            "cohort_id": cohort_id(year),
                            "month": month.month,
                            "year": month.year,
                            "cut_off_date": month.cut_off_date,
                            "payment_date": month.payment_date,
                            "output_fee": month.output_fee,
                            "status": status.value,
                            "paid_at": statement.paid_at,
                            "created_at": created_at,
                            "updated_at": updated_at,
                        },
                    )
                    if month.output_fee:
                        placed.append(statement)
                self._books[(lp_name, year)] = StatementBook(placed, self.today)
