"""The generated bulk of the sandbox: ``scale`` units of schools with their teachers and declarations.

A unit is `SCHOOLS_PER_UNIT` schools with about a thousand participants and
about five thousand declarations between them, written as one batch. Each
unit draws everything from its own random stream in a fixed order, and no
draw depends on today, so a unit's ids and counts are the same whatever the
scale and the day. Declarations are dated
on or before `DECLARED_UNTIL`, a fixed date in the past; only statuses and a
few "joining"/"leaving" dates follow the day of the seed.

Unit 0 keeps the `Profile` it was first drawn with (``--scale 1``, which many
tests read row by row); later units are a little more provider-led, so that
``--scale 100`` has about 500,000 declarations, as the issue asks.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from gateway.sandbox.batch import Batch
from gateway.sandbox.builder import Builder, PartnershipRef, PeriodRef, RecordRef
from gateway.sandbox.declarations import Fate
from gateway.sandbox.ids import at
from gateway.sandbox.reference import COHORT_YEARS, COHORTS, LEAD_PROVIDER_NAMES, REGISTRATION_OPEN_FROM, Reference
from gateway.sandbox.schedules import schedule_month_start
from gateway.vocabulary import (
    DeclarationType,
    DeferralReason,
    MentorIneligibleForFundingReason,
    ParticipantType,
    ScheduleIdentifier,
    WithdrawalReason,
    WorkingPattern,
)

SCHOOLS_PER_UNIT = 40
FIRST_URN = 200_000  # the cases use 100001-100010
FIRST_TRN = 2_000_000  # the cases use 1000001 upwards
TRNS_PER_UNIT = 2_500  # a unit has at most about 1,800 participants
MAX_UNITS = min((1_000_000 - FIRST_URN) // SCHOOLS_PER_UNIT, (10_000_000 - FIRST_TRN) // TRNS_PER_UNIT)
DECLARED_UNTIL = date(2026, 9, 30)
UNIT_TABLES = (
    "schools",
    "school_cohorts",
    "partnerships",
    "participants",
    "participant_id_changes",
    "training_records",
    "training_periods",
    "declarations",
)
"""The tables a unit writes rows to."""

_FIRST_NAMES = [
    "Aaliyah",
    "Adam",
    "Aisha",
    "Alex",
    "Alice",
    "Amara",
    "Amir",
    "Anna",
    "Ava",
    "Ben",
    "Bethany",
    "Caleb",
    "Callum",
    "Chen",
    "Daisy",
    "Dylan",
    "Eleanor",
    "Elijah",
    "Emily",
    "Erin",
    "Ethan",
    "Fatima",
    "Finley",
    "Hannah",
    "Harper",
    "Hassan",
    "Ivy",
    "Jack",
    "James",
    "Jasmine",
    "Jessica",
    "Joseph",
    "Joshua",
    "Kai",
    "Katie",
    "Layla",
    "Lewis",
    "Lucas",
    "Lucy",
    "Maya",
    "Megan",
    "Millie",
    "Nadia",
    "Niamh",
    "Olivia",
    "Omar",
    "Owen",
    "Rhys",
    "Riley",
    "Rosie",
    "Ryan",
    "Samira",
    "Sarah",
    "Seren",
    "Theo",
    "Toby",
    "Victoria",
    "William",
    "Yusuf",
    "Zoe",
]
_LAST_NAMES = [
    "Ali",
    "Allen",
    "Bailey",
    "Begum",
    "Bell",
    "Brown",
    "Campbell",
    "Carter",
    "Chapman",
    "Clark",
    "Collins",
    "Cox",
    "Davies",
    "Davis",
    "Dixon",
    "Ellis",
    "Evans",
    "Foster",
    "Graham",
    "Green",
    "Griffiths",
    "Hall",
    "Harris",
    "Hill",
    "Hussain",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kelly",
    "Khan",
    "King",
    "Knight",
    "Lee",
    "Lewis",
    "Martin",
    "Mason",
    "Miller",
    "Moore",
    "Morris",
    "Murphy",
    "Nguyen",
    "Owen",
    "Palmer",
    "Parker",
    "Phillips",
    "Reid",
    "Roberts",
    "Rogers",
    "Scott",
    "Simpson",
    "Smith",
    "Stevens",
    "Stewart",
    "Taylor",
    "Thomas",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wright",
    "Young",
]
_PLACES = [
    "Ashford",
    "Barnsley",
    "Bedford",
    "Blackburn",
    "Bolton",
    "Bradford",
    "Burnley",
    "Carlisle",
    "Chester",
    "Colchester",
    "Coventry",
    "Crawley",
    "Darlington",
    "Derby",
    "Doncaster",
    "Dudley",
    "Exeter",
    "Gateshead",
    "Gloucester",
    "Grimsby",
    "Halifax",
    "Harlow",
    "Hastings",
    "Hereford",
    "Huddersfield",
    "Ipswich",
    "Kendal",
    "Lancaster",
    "Leicester",
    "Lincoln",
    "Luton",
    "Maidstone",
    "Mansfield",
    "Norwich",
    "Oldham",
    "Peterborough",
    "Plymouth",
    "Preston",
    "Reading",
    "Redditch",
    "Rochdale",
    "Salford",
    "Shrewsbury",
    "Slough",
    "Stafford",
    "Stockport",
    "Sunderland",
    "Swindon",
    "Taunton",
    "Telford",
    "Wakefield",
    "Walsall",
    "Warrington",
    "Watford",
    "Wigan",
    "Worcester",
    "Worthing",
    "York",
]
_SCHOOL_KINDS = (
    "Primary School",
    "Academy",
    "Community Primary School",
    "High School",
    "Church of England Primary School",
    "Catholic Primary School",
    "Secondary School",
    "Infant and Nursery School",
    "Junior School",
    "Free School",
)
# The newest cohorts are still recruiting: fewer ECTs so far than the older ones.
_ECTS_PER_SCHOOL = {2025: (1, 5), 2026: (1, 3)}
_ECT_WITHDRAWAL_REASONS = tuple(r for r in WithdrawalReason if r is not WithdrawalReason.MENTOR_NO_LONGER_BEING_MENTOR)


@dataclass(slots=True)
class _Offer:
    """How a school trains its teachers in one cohort."""

    partnership: PartnershipRef | None = None
    interested_lead_provider: str | None = None

    @property
    def provider_led(self) -> bool:
        return self.partnership is not None or self.interested_lead_provider is not None


@dataclass(slots=True)
class _School:
    id: uuid.UUID
    urn: str
    offers: dict[int, _Offer] = field(default_factory=dict)
    mentors: list[uuid.UUID] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Profile:
    """How a unit's schools take part in each cohort: the chances a school cohort is eligible, and which offer it makes.

    Each school cohort draws one number ``choice`` in [0, 1): an eligible school
    cohort below ``partnered`` has a partnership, below ``interested`` (from
    2024) an expression of interest; otherwise a school cohort below
    ``school_led`` trains school-led, and above it has no early career teachers
    that year. School-led training and expressions of interest bring
    participants without declarations, so these shares set how many
    declarations a participant has on average.
    """

    eligible: float
    partnered: float
    interested: float
    school_led: float


FIRST_UNIT_PROFILE = Profile(eligible=0.92, partnered=0.85, interested=0.91, school_led=0.97)
"""Unit 0, the bulk of ``--scale 1``: about 4.4 declarations a participant; many tests read its rows, so it stays as first drawn."""

LATER_UNITS_PROFILE = Profile(eligible=0.95, partnered=0.92, interested=0.96, school_led=0.98)
"""Units 1 and up: about 1,065 participants and 5,000 declarations a unit (``--scale 100``: 106,634 and 501,891)."""


def profile_of(unit: int) -> Profile:
    return FIRST_UNIT_PROFILE if unit == 0 else LATER_UNITS_PROFILE


def unit_batch(reference: Reference, unit: int, *, now: datetime) -> Batch:
    """The rows of one unit. Each unit has its own random stream and TRN range, so units can be built in any order."""
    if not 0 <= unit < MAX_UNITS:
        raise ValueError(f"the bulk has at most {MAX_UNITS} units (URNs and TRNs would run out)")
    batch = Batch()
    rng = random.Random(f"sandbox bulk unit {unit}")
    trns = iter(range(FIRST_TRN + unit * TRNS_PER_UNIT, FIRST_TRN + (unit + 1) * TRNS_PER_UNIT))
    _Unit(Builder(reference, batch, rng, now=now), unit, trns, now.date(), profile_of(unit)).build()
    return batch


def _declarable_on(periods: list[PeriodRef], day: date) -> PeriodRef | None:
    """The period under a partnership that ``day`` falls in, before any end.

    Ends that follow today (leaving periods) all come after `DECLARED_UNTIL`,
    so this never depends on the day of the seed.
    """
    for period in periods:
        if period.started_on <= day and (period.finished_on is None or day < period.finished_on):
            return period if period.partnership is not None else None
    return None


def _induction(
    trn: int, role: ParticipantType, year: int, started_on: date, today: date
) -> tuple[WorkingPattern | None, date | None, date | None]:
    """An ECT's working pattern (as the school reports it) and induction dates (as the appropriate body reports them).

    Read off the TRN rather than drawn, so the rest of the sandbox stays as it was: mostly full-time, some part-time,
    a few unreported; most inductions reported as starting with the training, a few not reported at all, and some
    from the earlier cohorts with their latest induction period ended. Mentors have none of these.
    """
    if role is not ParticipantType.ECT:
        return None, None, None
    pattern = (WorkingPattern.FULL_TIME,) * 7 + (WorkingPattern.PART_TIME,) * 2 + (None,)
    kind = (trn // 10) % 10
    if kind == 0:
        return pattern[trn % 10], None, None
    ended_on = date(started_on.year + 2, 7, 18) if year <= 2023 and kind % 3 == 0 else None
    return pattern[trn % 10], started_on, ended_on if ended_on is not None and ended_on < today else None


def _days(rng: random.Random, low: int, high: int) -> timedelta:
    return timedelta(days=rng.randint(low, high))


class _Unit:
    def __init__(self, builder: Builder, unit: int, trns: Iterator[int], today: date, profile: Profile) -> None:
        self.b = builder
        self.profile = profile
        self.rng = builder.rng
        self.unit = unit
        self.trns = trns
        self.today = today

    def build(self) -> None:
        schools = [self.school(FIRST_URN + self.unit * SCHOOLS_PER_UNIT + i) for i in range(SCHOOLS_PER_UNIT)]
        for school in schools:
            for year, offer in school.offers.items():
                for _ in range(self.rng.randint(0, 2)):
                    school.mentors.append(self.teacher(school, year, offer, ParticipantType.MENTOR, schools))
                for _ in range(self.rng.randint(*_ECTS_PER_SCHOOL.get(year, (2, 6)))):
                    self.teacher(school, year, offer, ParticipantType.ECT, schools)

    def school(self, urn: int) -> _School:
        rng = self.rng
        name = f"{rng.choice(_PLACES)} {rng.choice(_SCHOOL_KINDS)}"
        school = _School(
            self.b.school(name=name, urn=str(urn), created_at=at(date(2020, 9, 1) + _days(rng, 0, 300))), str(urn)
        )
        usual_provider = rng.choice(LEAD_PROVIDER_NAMES)
        profile = self.profile
        for year in COHORT_YEARS:
            eligible = rng.random() < profile.eligible
            tutor = None
            if rng.random() < 0.85:
                tutor = (
                    f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}",
                    f"induction.tutor.{year}@{urn}.schools.example",
                )
            self.b.school_cohort(
                school.id,
                year,
                eligible=eligible,
                tutor=tutor,
                created_at=at(date(year - 1, 9, 1) + _days(rng, 0, 200)),
            )
            choice = rng.random()
            if eligible and choice < profile.partnered:
                lead_provider = usual_provider if rng.random() < 0.85 else rng.choice(LEAD_PROVIDER_NAMES)
                delivery_partner = rng.choice(self.b.reference.delivery_partners_of(lead_provider, year))
                created_at = at(date(year, 5, 1) + _days(rng, 0, 110))
                school.offers[year] = _Offer(
                    partnership=self.b.partnership(
                        school.id, lead_provider, delivery_partner, year, created_at=created_at
                    )
                )
            elif eligible and choice < profile.interested and year >= REGISTRATION_OPEN_FROM:
                school.offers[year] = _Offer(interested_lead_provider=rng.choice(LEAD_PROVIDER_NAMES))
            elif choice < profile.school_led:
                school.offers[year] = _Offer()
        return school

    def schedule_for(self, role: ParticipantType, offer: _Offer) -> ScheduleIdentifier | None:
        pick = self.rng.random()
        if not offer.provider_led:
            return None if pick < 0.5 else ScheduleIdentifier.STANDARD_SEPTEMBER
        ladder: tuple[tuple[float, ScheduleIdentifier], ...]
        if role is ParticipantType.ECT:
            ladder = (
                (0.70, ScheduleIdentifier.STANDARD_SEPTEMBER),
                (0.82, ScheduleIdentifier.STANDARD_JANUARY),
                (0.90, ScheduleIdentifier.STANDARD_APRIL),
                (0.94, ScheduleIdentifier.EXTENDED_SEPTEMBER),
                (0.97, ScheduleIdentifier.REDUCED_SEPTEMBER),
                (1.00, ScheduleIdentifier.EXTENDED_JANUARY),
            )
        else:  # mentors are never on a reduced schedule
            ladder = (
                (0.80, ScheduleIdentifier.STANDARD_SEPTEMBER),
                (0.88, ScheduleIdentifier.STANDARD_JANUARY),
                (0.93, ScheduleIdentifier.STANDARD_APRIL),
                (1.00, ScheduleIdentifier.REPLACEMENT_SEPTEMBER),
            )
        return next(schedule for bound, schedule in ladder if pick < bound)

    def teacher(
        self, school: _School, year: int, offer: _Offer, role: ParticipantType, schools: list[_School]
    ) -> uuid.UUID:
        rng = self.rng
        first, last = rng.choice(_FIRST_NAMES), rng.choice(_LAST_NAMES)
        trn = str(next(self.trns))
        schedule = self.schedule_for(role, offer)
        starts = schedule_month_start(year, schedule) if schedule else date(year, 9, 1)
        started_on = starts + _days(rng, 0, 25)
        known_on = min(started_on - _days(rng, 20, 80), DECLARED_UNTIL)
        pattern, induction_started_on, induction_ended_on = _induction(int(trn), role, year, started_on, self.today)
        participant_id = self.b.participant(
            full_name=f"{first} {last}",
            trn=trn,
            validated=rng.random() < 0.95,
            induction_started_on=induction_started_on,
            induction_period_ended_on=induction_ended_on,
            created_at=at(known_on, seconds=rng.randrange(36_000)),
        )
        if rng.random() < 0.01:
            self.b.id_change(
                from_id=self.b.new_id(),
                to_id=participant_id,
                changed_at=at(min(started_on + _days(rng, 30, 300), DECLARED_UNTIL), 15),
            )
        record = self.record(participant_id, role, year, known_on)
        email = f"{first}.{last}.{trn[-4:]}@{school.urn}.schools.example".lower()
        periods = self.periods(record, school, year, offer, schedule, started_on, email, schools, pattern)
        started_billably = self.declarations(record, periods, year)
        if started_billably and rng.random() < 0.006:
            self.trn_twin(periods[0], started_billably, f"{first} {last}", trn, known_on, email)
        return participant_id

    def record(self, participant_id: uuid.UUID, role: ParticipantType, year: int, known_on: date) -> RecordRef:
        rng = self.rng
        pick = rng.random()
        eligible = True if pick < 0.82 else (False if pick < 0.91 else None)
        pupil_premium, sparsity = rng.random() < 0.3, rng.random() < 0.15
        early_roll_out = role is ParticipantType.MENTOR and year == 2021 and rng.random() < 0.1
        return self.b.training_record(
            participant_id,
            role,
            eligible=False if early_roll_out else eligible,
            pupil_premium=pupil_premium and role is ParticipantType.ECT,
            sparsity=sparsity and role is ParticipantType.ECT,
            mentor_ineligible_reason=MentorIneligibleForFundingReason.COMPLETED_DURING_EARLY_ROLL_OUT.value
            if early_roll_out
            else None,
            created_at=at(known_on, 11),
        )

    def periods(
        self,
        record: RecordRef,
        school: _School,
        year: int,
        offer: _Offer,
        schedule: ScheduleIdentifier | None,
        started_on: date,
        email: str,
        schools: list[_School],
        working_pattern: WorkingPattern | None = None,
    ) -> list[PeriodRef]:
        rng = self.rng
        outcome = rng.random()
        stop_on = started_on + _days(rng, 40, 500)
        details: dict = {}
        if outcome < 0.05 and stop_on <= DECLARED_UNTIL:
            reasons = WithdrawalReason if record.role is ParticipantType.MENTOR else _ECT_WITHDRAWAL_REASONS
            details["withdrawn"] = (rng.choice(tuple(reasons)), at(stop_on, 14))
        elif 0.05 <= outcome < 0.08 and stop_on <= DECLARED_UNTIL:
            details["deferred"] = (rng.choice(tuple(DeferralReason)), at(stop_on, 14))
        elif 0.08 <= outcome < 0.10:
            # The school reports the participant leaving: in the future whatever the day, after every bulk declaration.
            details["leaving_on"] = max(self.today, DECLARED_UNTIL) + _days(rng, 5, 120)
        elif 0.10 <= outcome < 0.15 and stop_on <= DECLARED_UNTIL:
            details["leaving_on"] = stop_on  # moves school: see below
        elif year <= 2023 and outcome < 0.70:
            # Training completed: the period ends with no word from the school, so it is no transfer.
            completed_on = started_on + _days(rng, 640, 760)
            details["finished_on"] = completed_on
        mentor_id = None
        if record.role is ParticipantType.ECT and school.mentors and rng.random() < 0.85:
            mentor_id = rng.choice(school.mentors)
        first = self.b.training_period(
            record,
            school.id,
            year=year,
            started_on=started_on,
            partnership=offer.partnership,
            interested_lead_provider=offer.interested_lead_provider,
            schedule=schedule,
            email=email,
            mentor_id=mentor_id,
            working_pattern=working_pattern,
            created_at=at(min(started_on, DECLARED_UNTIL) - timedelta(days=1), 16),
            **details,
        )
        periods = [first]
        if 0.10 <= outcome < 0.15 and stop_on <= DECLARED_UNTIL:
            # A move: to another school of the unit, or to nowhere known when it has no provider-led offer that cohort.
            target = rng.choice(schools)
            target_offer = target.offers.get(year)
            joins_on = stop_on + _days(rng, 1, 30)
            if (
                target is not school
                and target_offer is not None
                and target_offer.partnership is not None
                and schedule is not None
            ):
                periods.append(
                    self.b.training_period(
                        record,
                        target.id,
                        year=year,
                        started_on=joins_on,
                        partnership=target_offer.partnership,
                        schedule=schedule,
                        email=email,
                        mentor_id=rng.choice(target.mentors)
                        if target.mentors and record.role is ParticipantType.ECT
                        else None,
                        working_pattern=working_pattern,
                        created_at=at(min(joins_on, DECLARED_UNTIL), 8),
                    )
                )
        return periods

    def declarations(self, record: RecordRef, periods: list[PeriodRef], year: int) -> tuple[PeriodRef, datetime] | None:
        """Declare along the periods; return the period and date of a billable started declaration, if any."""
        rng = self.rng
        first = periods[0]
        if first.schedule is None:
            return None
        cohort = COHORTS[year]
        frozen_on = cohort.payments_frozen_at.date() if cohort.payments_frozen_at else None
        until = min(DECLARED_UNTIL, frozen_on - timedelta(days=1)) if frozen_on else DECLARED_UNTIL
        windows = self.b.reference.windows(year, first.schedule)
        types = tuple(windows)
        if record.role is ParticipantType.MENTOR and cohort.mentor_funding:
            types = (DeclarationType.STARTED, DeclarationType.COMPLETED)
        started_billably = None
        earliest_next = first.started_on
        for declaration_type in types:
            window = windows[declaration_type]
            earliest = max(window.start_date, earliest_next)
            if window.milestone_date is None:
                # No end to the window: space declarations out as a term of training would.
                if declaration_type is DeclarationType.STARTED:
                    gap = (5, 40)
                elif declaration_type is DeclarationType.COMPLETED and len(types) == 2:
                    gap = (250, 400)  # a mentor's only other declaration, after a year or so
                else:
                    gap = (45, 100)
                earliest = max(window.start_date, earliest_next + _days(rng, *gap))
                latest = earliest + timedelta(days=60)
            else:
                latest = window.milestone_date
            latest = min(latest, until)
            if earliest > latest or rng.random() < 0.01:
                break
            day = earliest + timedelta(days=rng.randint(0, min(45, (latest - earliest).days)))
            period = _declarable_on(periods, day)
            if period is None:
                break
            fate = self.fate(record, cohort.payments_frozen_at is not None)
            declared_at = at(day, 9, seconds=rng.randrange(28_800))
            self.declare(period, declaration_type, declared_at, fate)
            if fate in (Fate.VOIDED, Fate.CLAWED_BACK) and day + timedelta(days=1) <= latest:
                # The provider sent the declaration again after the void, if the participant was still with it.
                day += _days(rng, 1, max(1, min(20, (latest - day).days)))
                declared_at = at(day, 9, seconds=rng.randrange(28_800))
                fate = Fate.NATURAL if record.eligible else Fate.SUBMITTED
                if _declarable_on(periods, day) is period:
                    self.declare(period, declaration_type, declared_at, fate)
            if declaration_type is DeclarationType.STARTED and fate in (Fate.NATURAL, Fate.SUBMITTED, Fate.ELIGIBLE):
                started_billably = (period, declared_at)
            if declaration_type is DeclarationType.COMPLETED:
                self.completed(record, day)
            earliest_next = day + timedelta(days=1)
        return started_billably

    def fate(self, record: RecordRef, frozen: bool) -> Fate:
        pick = self.rng.random()
        if not record.eligible:
            return Fate.SUBMITTED if pick < 0.9 else Fate.VOIDED
        if pick < 0.80:
            return Fate.NATURAL
        if pick < 0.84:
            return Fate.NATURAL if frozen else Fate.ELIGIBLE
        if pick < 0.92:
            return Fate.VOIDED
        return Fate.CLAWED_BACK

    def declare(self, period: PeriodRef, declaration_type: DeclarationType, declared_at: datetime, fate: Fate) -> None:
        rng = self.rng
        self.b.declaration(
            period,
            declaration_type,
            declared_at,
            fate=fate,
            evidence_pick=rng.random(),
            created_after=timedelta(seconds=rng.randrange(60, 172_800)),
            void_delay=_days(rng, 2, 40),
        )

    def completed(self, record: RecordRef, day: date) -> None:
        if record.role is ParticipantType.ECT:
            record.row["induction_end_date"] = day + _days(self.rng, 0, 60)
        elif record.row["mentor_ineligible_for_funding_reason"] is None:
            record.row["mentor_funding_end_date"] = day
            record.row["mentor_ineligible_for_funding_reason"] = (
                MentorIneligibleForFundingReason.COMPLETED_DECLARATION_RECEIVED.value
            )

    def trn_twin(
        self,
        original: PeriodRef,
        started: tuple[PeriodRef, datetime],
        full_name: str,
        trn: str,
        known_on: date,
        email: str,
    ) -> None:
        """A second identity for the same teacher (same TRN) whose started declaration duplicates the first one's."""
        period, declared_at = started
        twin = self.b.participant(full_name=full_name, trn=trn, validated=False, created_at=at(known_on, 12))
        record = self.b.training_record(twin, original.record.role, eligible=True, created_at=at(known_on, 12))
        twin_period = self.b.training_period(
            record,
            period.school_id,
            year=period.year,
            started_on=period.started_on,
            partnership=period.partnership,
            schedule=period.schedule,
            email=email.replace("@", ".2@"),
            created_at=at(min(period.started_on, DECLARED_UNTIL), 17),
        )
        self.declare(twin_period, DeclarationType.STARTED, declared_at, Fate.DUPLICATE)
