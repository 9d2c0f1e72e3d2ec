"""Participants made to order in a private sandbox copy, for the declaration and finance action tests.

Each trainee gets a training record and one training period under a sandbox
partnership: Ambition Institute's at ``AMBITION_HOME_SCHOOL`` (every cohort),
Teach First's at ``TEACH_FIRST_SCHOOL`` (2023-2026). Schedules, milestones and
statements are the sandbox's (domain.md section 8; statements up to 20 months
ahead of the seed day).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Declaration, Participant, Partnership, Statement, TrainingPeriod, TrainingRecord, metadata
from gateway.domain.callers import Caller
from gateway.domain.declarations.actions import create_declaration
from gateway.domain.declarations.queries import DeclarationRow
from gateway.domain.declarations.submission import DeclarationSubmission
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST, cohort_id, lead_provider_id, schedule_id
from gateway.vocabulary import CourseIdentifier, ParticipantType, Role, ScheduleIdentifier, StatementStatus

ECT = ParticipantType.ECT
MENTOR = ParticipantType.MENTOR
COURSE = {ECT: CourseIdentifier.ECF_INDUCTION.value, MENTOR: CourseIdentifier.ECF_MENTOR.value}

_HOME_SCHOOL = {AMBITION: Case.AMBITION_HOME_SCHOOL, TEACH_FIRST: Case.TEACH_FIRST_SCHOOL}
_participants = Participant.__table__
_records = TrainingRecord.__table__
_periods = TrainingPeriod.__table__
_partnerships = Partnership.__table__
_statements = Statement.__table__
_declarations = Declaration.__table__


def at(text: str) -> datetime:
    """An RFC 3339 moment as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def provider(name: str) -> Caller:
    return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id(name), lead_provider_name=name)


ADMIN = Caller(role=Role.ADMIN)


@dataclass(frozen=True)
class Trainee:
    participant_id: uuid.UUID
    training_record_id: uuid.UUID
    role: ParticipantType
    year: int

    @property
    def course(self) -> str:
        return COURSE[self.role]

    def declaration(
        self, declaration_type: str, declaration_date: str, evidence_held: str | None = None, **changes
    ) -> dict:
        """REST attributes declaring this trainee."""
        attributes = {
            "participant_id": str(self.participant_id),
            "declaration_type": declaration_type,
            "declaration_date": declaration_date,
            "course_identifier": self.course,
            "evidence_held": evidence_held,
        }
        return {**attributes, **changes}


async def partnership_of(engine: AsyncEngine, lead_provider: str, year: int, school: Case | None = None) -> uuid.UUID:
    """The provider's partnership in ``year`` at ``school`` (by default its home school)."""
    async with read_connection(engine) as conn:
        return (
            await conn.execute(
                select(_partnerships.c.id).where(
                    _partnerships.c.school_id == case_id(school or _HOME_SCHOOL[lead_provider]),
                    _partnerships.c.lead_provider_id == lead_provider_id(lead_provider),
                    _partnerships.c.cohort_id == cohort_id(year),
                )
            )
        ).scalar_one()


async def make_trainee(
    engine: AsyncEngine,
    *,
    lead_provider: str = AMBITION,
    year: int = 2025,
    role: ParticipantType = ECT,
    schedule: ScheduleIdentifier = ScheduleIdentifier.STANDARD_SEPTEMBER,
    eligible: bool | None = True,
    trn: str | None = None,
    started_on: date | None = None,
    withdrawn_at: datetime | None = None,
    deferred_at: datetime | None = None,
    mentor_id: uuid.UUID | None = None,
    participant_id: uuid.UUID | None = None,
    school: Case | None = None,
) -> Trainee:
    """A participant (or, given ``participant_id``, another role of one) trained by ``lead_provider`` in ``year``
    (at ``school``, where the provider must be in partnership that year; by default its home school)."""
    school = school or _HOME_SCHOOL[lead_provider]
    partnership_id = await partnership_of(engine, lead_provider, year, school)
    record_id = uuid.uuid4()
    async with write_transaction(engine) as conn:
        if participant_id is None:
            participant_id = uuid.uuid4()
            await conn.execute(
                _participants.insert().values(
                    id=participant_id,
                    full_name=f"Test {role.value} {participant_id.hex[:6]}",
                    teacher_reference_number=trn,
                )
            )
        await conn.execute(
            _records.insert().values(
                id=record_id, participant_id=participant_id, participant_type=role.value, eligible_for_funding=eligible
            )
        )
        await conn.execute(
            _periods.insert().values(
                id=uuid.uuid4(),
                training_record_id=record_id,
                school_id=case_id(school),
                cohort_id=cohort_id(year),
                training_programme="provider_led",
                partnership_id=partnership_id,
                schedule_id=schedule_id(year, schedule),
                started_on=started_on or date(year, 9, 1),
                withdrawn_at=withdrawn_at,
                withdrawal_reason="other" if withdrawn_at else None,
                deferred_at=deferred_at,
                deferral_reason="other" if deferred_at else None,
                mentor_id=mentor_id,
            )
        )
    return Trainee(participant_id, record_id, role, year)


async def add_period(
    engine: AsyncEngine,
    trainee: Trainee,
    *,
    lead_provider: str,
    started_on: date,
    finished_on: date | None = None,
    schedule: ScheduleIdentifier = ScheduleIdentifier.STANDARD_SEPTEMBER,
) -> None:
    """Another training period of the trainee's record, under ``lead_provider``'s partnership of the same cohort."""
    partnership_id = await partnership_of(engine, lead_provider, trainee.year)
    async with write_transaction(engine) as conn:
        await conn.execute(
            _periods.insert().values(
                id=uuid.uuid4(),
                training_record_id=trainee.training_record_id,
                school_id=case_id(_HOME_SCHOOL[lead_provider]),
                cohort_id=cohort_id(trainee.year),
                training_programme="provider_led",
                partnership_id=partnership_id,
                schedule_id=schedule_id(trainee.year, schedule),
                started_on=started_on,
                finished_on=finished_on,
            )
        )


async def declare(engine: AsyncEngine, caller: Caller, attributes: dict) -> DeclarationRow:
    async with write_transaction(engine) as conn:
        return await create_declaration(conn, caller, DeclarationSubmission(**attributes))


async def declaration_in_db(engine: AsyncEngine, declaration_id: uuid.UUID) -> dict:
    async with read_connection(engine) as conn:
        return dict(
            (await conn.execute(select(_declarations).where(_declarations.c.id == declaration_id))).mappings().one()
        )


async def statement_in_db(engine: AsyncEngine, statement_id: uuid.UUID) -> dict:
    async with read_connection(engine) as conn:
        return dict((await conn.execute(select(_statements).where(_statements.c.id == statement_id))).mappings().one())


async def open_output_statements(engine: AsyncEngine, lead_provider: str, year: int) -> list[dict]:
    """The provider's open output-fee statements for the cohort, earliest cut-off first."""
    async with read_connection(engine) as conn:
        rows = await conn.execute(
            select(_statements)
            .where(
                _statements.c.lead_provider_id == lead_provider_id(lead_provider),
                _statements.c.cohort_id == cohort_id(year),
                _statements.c.output_fee.is_(True),
                _statements.c.status == StatementStatus.OPEN.value,
            )
            .order_by(_statements.c.cut_off_date)
        )
        return [dict(r) for r in rows.mappings()]


async def snapshot(engine: AsyncEngine) -> dict[str, list[tuple]]:
    """Every record table's (id, updated_at) pairs: equal snapshots mean no row was added, removed or changed.

    Counters without an id (the rate limit's request counts) are left out: every request moves them.
    """
    found = {}
    async with read_connection(engine) as conn:
        for table in metadata.sorted_tables:
            if "id" not in table.c or "updated_at" not in table.c:
                continue
            rows = await conn.execute(select(table.c.id, table.c.updated_at).order_by(table.c.id))
            found[table.name] = [tuple(r) for r in rows]
    return found


async def count_rows(engine: AsyncEngine, table) -> int:
    async with read_connection(engine) as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


def utc(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


VOIDABLE_ELSEWHERE = ("eligible", "payable", "paid", "voided", "awaiting-clawback")


async def ambition_declaration_teach_first_reads(engine) -> uuid.UUID:
    """Ambition's started declaration of the participant who moved to Teach First: Teach First may read it."""
    declarations = Declaration.__table__
    async with read_connection(engine) as conn:
        return (
            await conn.execute(
                select(declarations.c.id).where(
                    declarations.c.participant_id == case_id(Case.TRANSFER_NEW_PROVIDER),
                    declarations.c.lead_provider_id == lead_provider_id(AMBITION),
                    declarations.c.declaration_type == "started",
                )
            )
        ).scalar_one()
