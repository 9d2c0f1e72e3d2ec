"""The special cases of the sandbox: each exactly once, in a fixed place, findable by name.

Every `Case` names one row, whose id never changes (it is derived from the
case's name), so a test can use it without a query::

    from gateway.sandbox.cases import Case, case_id, find_case

    school_id = case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS)
    school_id = await find_case(conn, Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS)  # the same, and checked to exist

`CASE_TABLES` says which table (and column) each case lives in: schools,
delivery partners, participants or declarations. `WITHDRAWN`, `DEFERRED` and
`DECLARATION_IN_STATE` map each withdrawal reason, deferral reason and
declaration state to its case.

Unless a member says otherwise, a participant case is trained by Ambition
Institute (`CASE_LEAD_PROVIDER`) at `AMBITION_HOME_SCHOOL` (URN 100001), on
the standard september schedule of its cohort. Dates are fixed, except those
that must stay "in the future" or "just past", which are relative to the day
of the seed: joining starts 30 days after it, leaving finishes 30 days after it
(45 for the withdrawn one), and the incomplete transfer moves 20 days after it.
"""

from __future__ import annotations

import itertools
import random
import uuid
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import metadata
from gateway.domain.errors import NotFound
from gateway.sandbox.batch import Batch
from gateway.sandbox.builder import Builder, PartnershipRef, PeriodRef, RecordRef
from gateway.sandbox.declarations import Fate
from gateway.sandbox.ids import at, stable_id
from gateway.sandbox.reference import (
    AMBITION,
    BEST_PRACTICE_NETWORK,
    COHORT_YEARS,
    DELIVERY_PARTNER_OF_TWO_PROVIDERS,
    DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS,
    TEACH_FIRST,
    Reference,
    delivery_partner_id,
)
from gateway.vocabulary import (
    DeclarationState,
    DeclarationType,
    DeferralReason,
    MentorIneligibleForFundingReason,
    ParticipantType,
    ScheduleIdentifier,
    WithdrawalReason,
)

CASE_LEAD_PROVIDER = AMBITION
ECT = ParticipantType.ECT
MENTOR = ParticipantType.MENTOR


class Case(StrEnum):
    # Schools (URNs 100001-100010)
    AMBITION_HOME_SCHOOL = "ambition home school"  # Ambition partners it in every cohort; home of the participant cases
    AMBITION_SECOND_SCHOOL = "ambition second school"  # Ambition partners it 2023-2026 (transfers to a new school)
    TEACH_FIRST_SCHOOL = "teach first school"  # Teach First partners it 2023-2026 (transfers to a new provider)
    SCHOOL_PARTNERED_BY_TWO_PROVIDERS = "school partnered by two providers"  # Ambition and Teach First, both in 2024
    SCHOOL_WITH_EXPRESSION_OF_INTEREST = "school with expression of interest"  # 2025: ECTs with an interest in Ambition and in Best Practice Network, no partnership
    SCHOOL_LED_ONLY_SCHOOL = "school-led only school"  # 2025: only school-led participants, no partnership
    INELIGIBLE_SCHOOL = "ineligible school"  # ineligible for funding in every cohort, nothing else
    PARTNERED_INELIGIBLE_SCHOOL = (
        "partnered ineligible school"  # ineligible in every cohort, yet Ambition partners it in 2023
    )
    SCHOOL_WITHOUT_INDUCTION_TUTOR = (
        "school without induction tutor"  # eligible, no tutor in any cohort, Ambition partners it in 2025
    )
    UNPARTNERED_ELIGIBLE_SCHOOL = (
        "unpartnered eligible school"  # eligible in every cohort with a tutor; no partnership, no participant
    )

    # Delivery partners
    DELIVERY_PARTNER_OF_TWO_PROVIDERS = (
        "delivery partner of two providers"  # Ambition in every cohort, Teach First 2024-2026
    )
    DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS = "delivery partner without recent cohorts"  # Ambition 2021-2023 only

    # Participants: where they are in their training
    ACTIVE_ECT = "active ect"  # 2025, started 2025-09-01, mentored by FUNDED_MENTOR, pupil premium uplift
    JOINING_ECT = "joining ect"  # 2026, starts 30 days after the seed
    LEAVING_ECT = (
        "leaving ect"  # 2024, the school reported it leaving 30 days after the seed; mentored by ECT_THEN_MENTOR
    )
    LEFT_ECT = "left ect"  # 2023, the school reported it leaving on 2025-07-18 (an unknown transfer)
    SCHOOL_WITHDRAWN_ECT = "school withdrawn ect"  # 2024, the school withdrew it on 2025-05-09 (not a transfer)
    WITHDRAWN_AND_LEAVING_ECT = (
        "withdrawn and leaving ect"  # 2024, the school reports it leaving 45 days after the seed; Ambition withdrew it
    )
    WITHDRAWN_LEFT_TEACHING_PROFESSION = "withdrawn: left-teaching-profession"  # 2024 ECT, withdrawn February 2025
    WITHDRAWN_MOVED_SCHOOL = "withdrawn: moved-school"
    WITHDRAWN_MENTOR_NO_LONGER_BEING_MENTOR = (
        "withdrawn: mentor-no-longer-being-mentor"  # a mentor (the reason is for mentors only)
    )
    WITHDRAWN_SWITCHED_TO_SCHOOL_LED = "withdrawn: switched-to-school-led"
    WITHDRAWN_OTHER = "withdrawn: other"
    DEFERRED_BEREAVEMENT = "deferred: bereavement"  # 2024 ECT, deferred March 2025
    DEFERRED_LONG_TERM_SICKNESS = "deferred: long-term-sickness"
    DEFERRED_PARENTAL_LEAVE = "deferred: parental-leave"
    DEFERRED_CAREER_BREAK = "deferred: career-break"
    DEFERRED_OTHER = "deferred: other"

    # Participants: transfers (every one starts at AMBITION_HOME_SCHOOL)
    TRANSFER_NEW_SCHOOL = "transfer: new school"  # 2024, to AMBITION_SECOND_SCHOOL on 2025-04-01, complete
    TRANSFER_NEW_PROVIDER = (
        "transfer: new provider"  # 2024, to TEACH_FIRST_SCHOOL on 2025-01-20, complete; declarations by both providers
    )
    TRANSFER_UNKNOWN = "transfer: unknown"  # 2024, left 2025-06-30 for nowhere known, complete
    TRANSFER_INCOMPLETE = "transfer: incomplete"  # 2025, moves to AMBITION_SECOND_SCHOOL 20 days after the seed

    # Participants: roles, mentors, identities, funding
    ECT_THEN_MENTOR = "ect then mentor"  # ECT 2021 (completed), mentor 2024: two training records
    FUNDED_MENTOR = "funded mentor"  # 2025 mentor trained by Ambition, mentors ACTIVE_ECT and JOINING_ECT
    UNFUNDED_MENTOR = "unfunded mentor"  # 2024 mentor trained by Teach First at SCHOOL_PARTNERED_BY_TWO_PROVIDERS only
    ECT_WITH_UNFUNDED_MENTOR = "ect with unfunded mentor"  # 2024 Ambition ECT there, mentored by UNFUNDED_MENTOR
    ECT_WITH_ID_CHANGE = "ect with id change"  # 2024; DfE merged MERGED_AWAY_PARTICIPANT into it on 2025-01-10
    MERGED_AWAY_PARTICIPANT = "merged away participant"  # only a from_participant_id: no participants row
    TRN_TWIN_FIRST = (
        "trn twin first"  # 2024; shares TRN 1009999 with TRN_TWIN_SECOND, holds the paid started declaration
    )
    TRN_TWIN_SECOND = (
        "trn twin second"  # 2024 at AMBITION_SECOND_SCHOOL; its started declaration is the ineligible duplicate
    )
    ECT_NOT_YET_ELIGIBLE = "ect not yet eligible"  # 2024, eligible_for_funding null, a submitted declaration
    ECT_NOT_ELIGIBLE = "ect not eligible"  # 2024, eligible_for_funding false, a submitted declaration, unvalidated TRN
    MOVED_FROM_FROZEN_COHORT = (
        "moved from frozen cohort"  # 2022 until 2024-06-30, then 2024; cohort_changed_after_payments_frozen
    )
    MENTOR_WITH_FUNDING_ENDED = (
        "mentor with funding ended"  # 2025 mentor, completed 2026-06-15, mentor funding ended then
    )
    EXPRESSION_OF_INTEREST_ECT = (
        "expression of interest ect"  # 2025 at SCHOOL_WITH_EXPRESSION_OF_INTEREST, interest in Ambition
    )
    EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER = (
        "expression of interest ect, other provider"  # same school, Best Practice Network
    )
    SCHOOL_LED_ECT = "school-led ect"  # 2025 at SCHOOL_LED_ONLY_SCHOOL, no schedule, mentored by SCHOOL_LED_MENTOR
    SCHOOL_LED_MENTOR = "school-led mentor"
    DECLARATIONS_ECT = (
        "declarations ect"  # 2024, both uplifts; holds the paid/clawed-back/awaiting/voided/payable/eligible cases
    )

    # Declarations, one per state
    DECLARATION_SUBMITTED = "declaration: submitted"  # ECT_NOT_YET_ELIGIBLE's started
    DECLARATION_ELIGIBLE = "declaration: eligible"  # DECLARATIONS_ECT retained-4, on today's open statement
    DECLARATION_PAYABLE = "declaration: payable"  # DECLARATIONS_ECT retained-3 (the second one)
    DECLARATION_PAID = "declaration: paid"  # DECLARATIONS_ECT started (uplift paid)
    DECLARATION_VOIDED = "declaration: voided"  # DECLARATIONS_ECT retained-3 (the first one, voided before payment)
    DECLARATION_INELIGIBLE = "declaration: ineligible"  # TRN_TWIN_SECOND's started, duplicate_declaration
    DECLARATION_AWAITING_CLAWBACK = "declaration: awaiting clawback"  # DECLARATIONS_ECT retained-2
    DECLARATION_CLAWED_BACK = "declaration: clawed back"  # DECLARATIONS_ECT retained-1


_SCHOOLS = {
    Case.AMBITION_HOME_SCHOOL,
    Case.AMBITION_SECOND_SCHOOL,
    Case.TEACH_FIRST_SCHOOL,
    Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS,
    Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST,
    Case.SCHOOL_LED_ONLY_SCHOOL,
    Case.INELIGIBLE_SCHOOL,
    Case.PARTNERED_INELIGIBLE_SCHOOL,
    Case.SCHOOL_WITHOUT_INDUCTION_TUTOR,
    Case.UNPARTNERED_ELIGIBLE_SCHOOL,
}
_DELIVERY_PARTNERS = {
    Case.DELIVERY_PARTNER_OF_TWO_PROVIDERS: DELIVERY_PARTNER_OF_TWO_PROVIDERS,
    Case.DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS: DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS,
}


def _table_of(case: Case) -> tuple[str, str]:
    if case in _SCHOOLS:
        return "schools", "id"
    if case in _DELIVERY_PARTNERS:
        return "delivery_partners", "id"
    if case is Case.MERGED_AWAY_PARTICIPANT:
        return "participant_id_changes", "from_participant_id"
    if case.name.startswith("DECLARATION_"):
        return "declarations", "id"
    return "participants", "id"


CASE_TABLES: dict[Case, tuple[str, str]] = {case: _table_of(case) for case in Case}
WITHDRAWN = {reason: Case[f"WITHDRAWN_{reason.name}"] for reason in WithdrawalReason}
DEFERRED = {reason: Case[f"DEFERRED_{reason.name}"] for reason in DeferralReason}
DECLARATION_IN_STATE = {state: Case[f"DECLARATION_{state.name}"] for state in DeclarationState}


def case_id(case: Case) -> uuid.UUID:
    if case in _DELIVERY_PARTNERS:
        return delivery_partner_id(_DELIVERY_PARTNERS[case])
    return stable_id("sandbox case", case.value)


async def find_case(conn: AsyncConnection, case: Case | str) -> uuid.UUID:
    """The id of a case (a `Case`, its value or its name), after checking the database holds it (raises `NotFound` otherwise)."""
    case = case if isinstance(case, Case) else (Case[case] if case in Case.__members__ else Case(case))
    table_name, column_name = CASE_TABLES[case]
    column = metadata.tables[table_name].c[column_name]
    found = (await conn.execute(select(column).where(column == case_id(case)).limit(1))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"The sandbox case {case.value!r} is not in this database")
    return found


def build_cases(reference: Reference, batch: Batch, *, now: datetime) -> None:
    _Cases(Builder(reference, batch, random.Random("sandbox cases"), now=now), now.date()).build()


class _Cases:
    def __init__(self, builder: Builder, today: date) -> None:
        self.b = builder
        self.today = today
        self.trns = (str(n) for n in itertools.count(1_000_001))
        self.stamps = itertools.count()
        self.urns: dict[uuid.UUID, str] = {}

    def created(self, day: date) -> datetime:
        """A distinct creation moment on ``day``, so default orderings never tie among the cases."""
        return at(day, 8, seconds=next(self.stamps))

    # Schools

    def school(self, case: Case, name: str, urn: str, *, eligible: bool = True, tutor: bool = True) -> uuid.UUID:
        school_id = self.b.school(name=name, urn=urn, created_at=self.created(date(2020, 9, 1)), id=case_id(case))
        self.urns[school_id] = urn
        for year in COHORT_YEARS:
            contact = (
                (f"Induction Tutor {urn}-{year}", f"induction.tutor.{year}@{urn}.schools.example") if tutor else None
            )
            self.b.school_cohort(
                school_id, year, eligible=eligible, tutor=contact, created_at=self.created(date(year - 1, 9, 1))
            )
        return school_id

    def partner(
        self, school_id: uuid.UUID, lead_provider: str, delivery_partner: str, years: tuple[int, ...]
    ) -> dict[int, PartnershipRef]:
        return {
            year: self.b.partnership(
                school_id, lead_provider, delivery_partner, year, created_at=self.created(date(year, 5, 2))
            )
            for year in years
        }

    # Participants

    def person(
        self, case: Case | None, full_name: str, year: int, *, trn: str | None = None, validated: bool = True
    ) -> uuid.UUID:
        return self.b.participant(
            full_name=full_name,
            trn=trn or next(self.trns),
            validated=validated,
            created_at=self.created(date(year, 6, 1)),
            id=case_id(case) if case else None,
        )

    def record(
        self, participant_id: uuid.UUID, role: ParticipantType, year: int, *, eligible: bool | None = True, **funding
    ) -> RecordRef:
        return self.b.training_record(
            participant_id, role, eligible=eligible, created_at=self.created(date(year, 6, 1)), **funding
        )

    def period(
        self,
        record: RecordRef,
        school_id: uuid.UUID,
        year: int,
        started_on: date,
        *,
        partnership: PartnershipRef | None,
        schedule: ScheduleIdentifier | None = ScheduleIdentifier.STANDARD_SEPTEMBER,
        **details,
    ) -> PeriodRef:
        email = f"participant.{str(record.participant_id)[:8]}@{self.urns[school_id]}.schools.example"
        return self.b.training_period(
            record,
            school_id,
            year=year,
            started_on=started_on,
            partnership=partnership,
            schedule=schedule,
            email=email,
            created_at=self.created(min(started_on, date(year, 7, 1))),
            **details,
        )

    def declare(
        self,
        period: PeriodRef,
        declaration_type: DeclarationType,
        day: str,
        fate: Fate = Fate.NATURAL,
        *,
        case: Case | None = None,
    ) -> None:
        self.b.declaration(
            period,
            declaration_type,
            at(date.fromisoformat(day), 10),
            fate=fate,
            evidence_pick=0.0,
            id=case_id(case) if case else None,
        )

    def build(self) -> None:
        self.build_schools()
        self.build_training_states()
        self.build_transfers()
        self.build_roles_and_identities()
        self.build_declaration_states()
        self.build_school_reports()

    def build_schools(self) -> None:
        self.home = self.school(Case.AMBITION_HOME_SCHOOL, "Oakfield Primary School", "100001")
        self.home_partnerships = self.partner(self.home, AMBITION, "Midlands Inspire Teaching Hub", COHORT_YEARS)
        self.second = self.school(Case.AMBITION_SECOND_SCHOOL, "Riverside Academy", "100002")
        self.second_partnerships = self.partner(
            self.second, AMBITION, DELIVERY_PARTNER_OF_TWO_PROVIDERS, (2023, 2024, 2025, 2026)
        )
        self.teach_first = self.school(Case.TEACH_FIRST_SCHOOL, "St Anne's Church of England Primary School", "100003")
        self.teach_first_partnerships = self.partner(
            self.teach_first, TEACH_FIRST, "Coastal Schools Teaching Hub", (2023, 2024, 2025, 2026)
        )

        self.two_providers = self.school(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS, "Hillcrest Community School", "100004")
        self.two_providers_ambition = self.partner(
            self.two_providers, AMBITION, DELIVERY_PARTNER_OF_TWO_PROVIDERS, (2024,)
        )[2024]
        self.two_providers_teach_first = self.partner(
            self.two_providers, TEACH_FIRST, "Coastal Schools Teaching Hub", (2024,)
        )[2024]

        self.interest = self.school(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, "Meadowbank Primary School", "100005")
        self.school_led = self.school(Case.SCHOOL_LED_ONLY_SCHOOL, "Kingsway Academy", "100006")
        self.school(Case.INELIGIBLE_SCHOOL, "Greyfriars Independent School", "100007", eligible=False, tutor=False)
        partnered_ineligible = self.school(
            Case.PARTNERED_INELIGIBLE_SCHOOL, "Marshland Free School", "100008", eligible=False
        )
        self.partner(partnered_ineligible, AMBITION, DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS, (2023,))
        no_tutor = self.school(Case.SCHOOL_WITHOUT_INDUCTION_TUTOR, "Brookside Junior School", "100009", tutor=False)
        self.partner(no_tutor, AMBITION, "Thames Valley Teaching School Hub", (2025,))
        self.school(Case.UNPARTNERED_ELIGIBLE_SCHOOL, "Westfield Primary School", "100010")

    def at_home(
        self, case: Case, full_name: str, year: int, started_on: date, *, role: ParticipantType = ECT, **details
    ) -> PeriodRef:
        record = self.record(
            self.person(case, full_name, year), role, year, pupil_premium=details.pop("pupil_premium", False)
        )
        return self.period(record, self.home, year, started_on, partnership=self.home_partnerships[year], **details)

    def build_training_states(self) -> None:
        mentor = self.at_home(Case.FUNDED_MENTOR, "Priya Raman", 2025, date(2025, 9, 1), role=MENTOR)
        self.declare(mentor, DeclarationType.STARTED, "2025-10-01")
        self.funded_mentor = mentor.record.participant_id

        active = self.at_home(
            Case.ACTIVE_ECT, "Oliver Bennett", 2025, date(2025, 9, 1), mentor_id=self.funded_mentor, pupil_premium=True
        )
        self.declare(active, DeclarationType.STARTED, "2025-09-20")
        self.declare(active, DeclarationType.RETAINED_1, "2026-01-15")

        self.at_home(
            Case.JOINING_ECT, "Amelia Clarke", 2026, self.today + timedelta(days=30), mentor_id=self.funded_mentor
        )

        # LEAVING_ECT's mentor: the ECT_THEN_MENTOR case's mentor record, built in build_roles_and_identities.
        self.ect_then_mentor = case_id(Case.ECT_THEN_MENTOR)
        leaving = self.at_home(
            Case.LEAVING_ECT,
            "Noah Fletcher",
            2024,
            date(2024, 9, 2),
            leaving_on=self.today + timedelta(days=30),
            mentor_id=self.ect_then_mentor,
        )
        self.declare(leaving, DeclarationType.STARTED, "2024-10-01")

        left = self.at_home(Case.LEFT_ECT, "Isla Morgan", 2023, date(2023, 9, 4), leaving_on=date(2025, 7, 18))
        self.declare(left, DeclarationType.STARTED, "2023-10-02")
        self.declare(left, DeclarationType.RETAINED_1, "2024-02-01")

        withdrawn_names = ["Harry Walsh", "Ella Hughes", "Mohammed Iqbal", "Freya Lloyd", "George Patel"]
        for i, (reason, full_name) in enumerate(zip(WithdrawalReason, withdrawn_names, strict=True)):
            role = MENTOR if reason is WithdrawalReason.MENTOR_NO_LONGER_BEING_MENTOR else ECT
            withdrawn_at = at(date(2025, 2, 10 + i), 11)
            period = self.at_home(
                WITHDRAWN[reason], full_name, 2024, date(2024, 9, 2), role=role, withdrawn=(reason, withdrawn_at)
            )
            self.declare(period, DeclarationType.STARTED, f"2024-10-0{i + 1}")

        deferred_names = ["Lily Edwards", "Jacob Turner", "Sophie Kaur", "Alfie Robinson", "Mia Thompson"]
        for i, (deferral, full_name) in enumerate(zip(DeferralReason, deferred_names, strict=True)):
            deferred_at = at(date(2025, 3, 10 + i), 11)
            period = self.at_home(
                DEFERRED[deferral], full_name, 2024, date(2024, 9, 2), deferred=(deferral, deferred_at)
            )
            self.declare(period, DeclarationType.STARTED, f"2024-10-1{i}")

    def build_transfers(self) -> None:
        leaving = self.at_home(
            Case.TRANSFER_NEW_SCHOOL, "Charlie Wood", 2024, date(2024, 9, 2), leaving_on=date(2025, 3, 31)
        )
        joining = self.period(
            leaving.record, self.second, 2024, date(2025, 4, 1), partnership=self.second_partnerships[2024]
        )
        self.declare(leaving, DeclarationType.STARTED, "2024-10-01")
        self.declare(leaving, DeclarationType.RETAINED_1, "2025-02-03")
        self.declare(joining, DeclarationType.RETAINED_2, "2025-05-06")

        leaving = self.at_home(
            Case.TRANSFER_NEW_PROVIDER, "Grace Mitchell", 2024, date(2024, 9, 2), leaving_on=date(2025, 1, 17)
        )
        joining = self.period(
            leaving.record, self.teach_first, 2024, date(2025, 1, 20), partnership=self.teach_first_partnerships[2024]
        )
        self.declare(leaving, DeclarationType.STARTED, "2024-10-01")
        self.declare(joining, DeclarationType.RETAINED_1, "2025-02-10")
        self.declare(joining, DeclarationType.RETAINED_2, "2025-05-12")

        leaving = self.at_home(
            Case.TRANSFER_UNKNOWN, "Henry Cooper", 2024, date(2024, 9, 2), leaving_on=date(2025, 6, 30)
        )
        self.declare(leaving, DeclarationType.STARTED, "2024-10-01")

        moves_on = self.today + timedelta(days=20)
        leaving = self.at_home(Case.TRANSFER_INCOMPLETE, "Evie Richardson", 2025, date(2025, 9, 1), leaving_on=moves_on)
        self.period(
            leaving.record, self.second, 2025, moves_on + timedelta(days=1), partnership=self.second_partnerships[2025]
        )
        self.declare(leaving, DeclarationType.STARTED, "2025-09-22")

    def build_roles_and_identities(self) -> None:
        person = self.person(Case.ECT_THEN_MENTOR, "Rebecca Shaw", 2021)
        as_ect = self.record(person, ECT, 2021, induction_end_date=date(2023, 7, 21))
        ect_period = self.period(
            as_ect,
            self.home,
            2021,
            date(2021, 9, 1),
            partnership=self.home_partnerships[2021],
            finished_on=date(2023, 7, 21),
        )
        for declaration_type, day in zip(
            (
                DeclarationType.STARTED,
                DeclarationType.RETAINED_1,
                DeclarationType.RETAINED_2,
                DeclarationType.RETAINED_3,
                DeclarationType.RETAINED_4,
                DeclarationType.COMPLETED,
            ),
            ("2021-10-04", "2022-01-10", "2022-03-07", "2022-06-06", "2022-11-07", "2023-03-06"),
            strict=True,
        ):
            self.declare(ect_period, declaration_type, day)
        as_mentor = self.record(person, MENTOR, 2024)
        mentor_period = self.period(
            as_mentor, self.home, 2024, date(2024, 9, 2), partnership=self.home_partnerships[2024]
        )
        self.declare(mentor_period, DeclarationType.STARTED, "2024-10-07")

        unfunded = self.record(self.person(Case.UNFUNDED_MENTOR, "Daniel Okafor", 2024), MENTOR, 2024)
        period = self.period(
            unfunded, self.two_providers, 2024, date(2024, 9, 2), partnership=self.two_providers_teach_first
        )
        self.declare(period, DeclarationType.STARTED, "2024-10-03")
        mentored = self.record(self.person(Case.ECT_WITH_UNFUNDED_MENTOR, "Zara Ahmed", 2024), ECT, 2024)
        period = self.period(
            mentored,
            self.two_providers,
            2024,
            date(2024, 9, 2),
            partnership=self.two_providers_ambition,
            mentor_id=unfunded.participant_id,
        )
        self.declare(period, DeclarationType.STARTED, "2024-10-03")

        changed = self.at_home(Case.ECT_WITH_ID_CHANGE, "Thomas Baker", 2024, date(2024, 9, 2))
        self.b.id_change(
            from_id=case_id(Case.MERGED_AWAY_PARTICIPANT),
            to_id=changed.record.participant_id,
            changed_at=at(date(2025, 1, 10), 14),
        )
        self.declare(changed, DeclarationType.STARTED, "2024-10-04")

        twin_trn = "1009999"
        first = self.record(self.person(Case.TRN_TWIN_FIRST, "Sam Taylor", 2024, trn=twin_trn), ECT, 2024)
        period = self.period(first, self.home, 2024, date(2024, 9, 2), partnership=self.home_partnerships[2024])
        self.declare(period, DeclarationType.STARTED, "2024-10-01")
        second = self.record(self.person(Case.TRN_TWIN_SECOND, "Samuel Taylor", 2024, trn=twin_trn), ECT, 2024)
        self.twin_period = self.period(
            second, self.second, 2024, date(2024, 9, 2), partnership=self.second_partnerships[2024]
        )

        record = self.record(self.person(Case.ECT_NOT_YET_ELIGIBLE, "Ruby Harrison", 2024), ECT, 2024, eligible=None)
        self.not_yet_eligible = self.period(
            record, self.home, 2024, date(2024, 9, 2), partnership=self.home_partnerships[2024]
        )
        record = self.record(
            self.person(Case.ECT_NOT_ELIGIBLE, "Leo Marshall", 2024, validated=False), ECT, 2024, eligible=False
        )
        period = self.period(record, self.home, 2024, date(2024, 9, 2), partnership=self.home_partnerships[2024])
        self.declare(period, DeclarationType.STARTED, "2024-10-08", Fate.SUBMITTED)

        record = self.record(
            self.person(Case.MOVED_FROM_FROZEN_COHORT, "Poppy Gray", 2022),
            ECT,
            2022,
            cohort_changed_after_payments_frozen=True,
        )
        frozen = self.period(
            record,
            self.home,
            2022,
            date(2022, 9, 5),
            partnership=self.home_partnerships[2022],
            finished_on=date(2024, 6, 30),
        )
        self.declare(frozen, DeclarationType.STARTED, "2022-10-03")
        self.declare(frozen, DeclarationType.RETAINED_1, "2023-02-06")
        moved = self.period(record, self.home, 2024, date(2024, 7, 1), partnership=self.home_partnerships[2024])
        self.declare(moved, DeclarationType.RETAINED_2, "2025-04-14")

        record = self.record(
            self.person(Case.MENTOR_WITH_FUNDING_ENDED, "Nathan Price", 2025),
            MENTOR,
            2025,
            mentor_funding_end_date=date(2026, 6, 15),
            mentor_ineligible_reason=MentorIneligibleForFundingReason.COMPLETED_DECLARATION_RECEIVED.value,
        )
        period = self.period(
            record,
            self.home,
            2025,
            date(2025, 9, 1),
            partnership=self.home_partnerships[2025],
            finished_on=date(2026, 7, 31),
        )
        self.declare(period, DeclarationType.STARTED, "2025-09-15")
        self.declare(period, DeclarationType.COMPLETED, "2026-06-15")

        for case, full_name, lead_provider in (
            (Case.EXPRESSION_OF_INTEREST_ECT, "Florence Adams", AMBITION),
            (Case.EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER, "Arthur Hall", BEST_PRACTICE_NETWORK),
        ):
            record = self.record(self.person(case, full_name, 2025), ECT, 2025)
            self.period(
                record, self.interest, 2025, date(2025, 9, 1), partnership=None, interested_lead_provider=lead_provider
            )

        mentor = self.record(self.person(Case.SCHOOL_LED_MENTOR, "Imogen Barker", 2025), MENTOR, 2025, eligible=False)
        self.period(mentor, self.school_led, 2025, date(2025, 9, 1), partnership=None)
        ect = self.record(self.person(Case.SCHOOL_LED_ECT, "Oscar Fisher", 2025), ECT, 2025, eligible=False)
        self.period(
            ect,
            self.school_led,
            2025,
            date(2025, 9, 1),
            partnership=None,
            schedule=None,
            mentor_id=mentor.participant_id,
        )

    def build_declaration_states(self) -> None:
        record = self.record(
            self.person(Case.DECLARATIONS_ECT, "Chloe Jenkins", 2024), ECT, 2024, pupil_premium=True, sparsity=True
        )
        period = self.period(
            record,
            self.home,
            2024,
            date(2024, 9, 2),
            partnership=self.home_partnerships[2024],
            mentor_id=self.ect_then_mentor,
        )
        self.declare(period, DeclarationType.STARTED, "2024-09-16", case=Case.DECLARATION_PAID)
        self.declare(
            period, DeclarationType.RETAINED_1, "2025-01-20", Fate.CLAWED_BACK, case=Case.DECLARATION_CLAWED_BACK
        )
        self.declare(
            period,
            DeclarationType.RETAINED_2,
            "2025-05-12",
            Fate.AWAITING_CLAWBACK,
            case=Case.DECLARATION_AWAITING_CLAWBACK,
        )
        self.declare(period, DeclarationType.RETAINED_3, "2025-09-08", Fate.VOIDED, case=Case.DECLARATION_VOIDED)
        self.declare(period, DeclarationType.RETAINED_3, "2025-09-22", Fate.PAYABLE, case=Case.DECLARATION_PAYABLE)
        self.declare(period, DeclarationType.RETAINED_4, "2026-02-09", Fate.ELIGIBLE, case=Case.DECLARATION_ELIGIBLE)

        self.declare(
            self.not_yet_eligible,
            DeclarationType.STARTED,
            "2024-10-07",
            Fate.SUBMITTED,
            case=Case.DECLARATION_SUBMITTED,
        )
        self.declare(
            self.twin_period, DeclarationType.STARTED, "2024-10-15", Fate.DUPLICATE, case=Case.DECLARATION_INELIGIBLE
        )

    def build_school_reports(self) -> None:
        """What the school reported, beside what the provider did: each side keeps its own status.

        Built last, so the cases before keep their creation stamps and TRNs."""
        withdrawn = self.at_home(
            Case.SCHOOL_WITHDRAWN_ECT,
            "Maisie Collins",
            2024,
            date(2024, 9, 2),
            school_withdrawn_at=at(date(2025, 5, 9), 10),
        )
        self.declare(withdrawn, DeclarationType.STARTED, "2024-10-02")

        leaving = self.at_home(
            Case.WITHDRAWN_AND_LEAVING_ECT,
            "Reuben Shah",
            2024,
            date(2024, 9, 2),
            leaving_on=self.today + timedelta(days=45),
            withdrawn=(WithdrawalReason.MOVED_SCHOOL, at(date(2025, 11, 3), 11)),
        )
        self.declare(leaving, DeclarationType.STARTED, "2024-10-03")
