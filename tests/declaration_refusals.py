"""One scenario per published refusal of section 6 (declare and void), shared by the REST and GraphQL tests.

Each scenario builds what it needs in a private sandbox copy and says what to
send (attributes, or the declaration to void), which provider sends it, the
moment to send it at (``X-With-Server-Date``) if not now, and the single
(attribute, message) it must be refused with.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import clock
from gateway.db.engine import set_engine
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST
from tests.conftest import Database, DatabaseFactory
from tests.declaration_scenarios import MENTOR, Trainee, add_period, declare, make_trainee, provider, utc


@pytest.fixture(scope="module")
async def _refusals_database(databases: DatabaseFactory, sandbox_template: str):
    db = await databases.create(template=sandbox_template)
    yield db
    await db.engine.dispose()


@pytest.fixture
async def refusals_db(_refusals_database: Database):
    """One sandbox copy for a module's refusal scenarios (a copy each would cost more than the tests): every
    scenario builds its own trainees, and a refusal must leave everything else as it was, which the tests check."""
    set_engine(_refusals_database.engine)
    yield _refusals_database
    set_engine(None)


@dataclass(frozen=True)
class Attempt:
    attributes: dict
    lead_provider: str = AMBITION
    server_date: str | None = None


@dataclass(frozen=True)
class Refusal:
    name: str
    build: Callable[[AsyncEngine], Awaitable[Attempt]]
    attribute: str
    message: str


@dataclass(frozen=True)
class VoidRefusal:
    name: str
    declaration: Case
    message: str
    server_date: str | None = None


def _without(attributes: dict, name: str) -> dict:
    return {k: v for k, v in attributes.items() if k != name}


async def _ect(engine: AsyncEngine, **options) -> Trainee:
    return await make_trainee(engine, **options)


async def missing_participant(engine):
    return Attempt(
        _without((await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other"), "participant_id")
    )


async def unknown_participant(engine):
    return Attempt(
        (await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other", participant_id=str(uuid.uuid4()))
    )


async def participant_of_another_provider(engine):
    trainee = await make_trainee(engine, lead_provider=TEACH_FIRST)
    return Attempt(trainee.declaration("started", "2025-10-01T10:00:00Z", "other"))


async def missing_course(engine):
    return Attempt(
        _without((await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other"), "course_identifier")
    )


async def course_of_another_role(engine):
    return Attempt(
        (await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other", course_identifier="ecf-mentor")
    )


async def missing_date(engine):
    return Attempt(
        _without((await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other"), "declaration_date")
    )


async def date_not_rfc3339(engine):
    return Attempt((await _ect(engine)).declaration("started", "2025-10-01 10:00:00", "other"))


async def future_date(engine):
    tomorrow = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Attempt((await _ect(engine)).declaration("started", tomorrow, "other"))


async def before_milestone_start(engine):
    ect = await _ect(engine, year=2024)  # retained-1: 2025-01-01 -> 2025-03-31
    return Attempt(ect.declaration("retained-1", "2024-12-31T23:59:59Z", "other"))


async def after_milestone_date(engine):
    ect = await _ect(engine, year=2024)  # started: 2024-06-01 -> 2024-12-31
    return Attempt(ect.declaration("started", "2025-01-01T00:00:00Z"))


async def out_of_sequence(engine):
    ect = await _ect(engine)
    await declare(engine, provider(AMBITION), ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
    return Attempt(ect.declaration("retained-1", "2025-09-15T10:00:00Z", "other"))


async def missing_type(engine):
    return Attempt(
        _without((await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other"), "declaration_type")
    )


async def unknown_type(engine):
    return Attempt((await _ect(engine)).declaration("retained-9", "2025-10-01T10:00:00Z", "other"))


async def type_not_on_schedule(engine):
    ect = await _ect(engine, year=2024)  # a standard schedule has no extended milestones
    return Attempt(ect.declaration("extended-1", "2025-03-01T10:00:00Z", "other"))


async def retained_for_funded_mentor(engine):
    mentor = await make_trainee(engine, role=MENTOR)
    return Attempt(mentor.declaration("retained-1", "2025-10-01T10:00:00Z", "other"))


async def slot_taken_by_another_provider(engine):
    trainee = await make_trainee(engine, year=2024, lead_provider=TEACH_FIRST, started_on=date(2024, 9, 1))
    await add_period(engine, trainee, lead_provider=AMBITION, started_on=date(2025, 1, 1))
    await declare(engine, provider(TEACH_FIRST), trainee.declaration("started", "2024-10-01T10:00:00Z"))
    return Attempt(trainee.declaration("started", "2024-10-02T10:00:00Z"))


async def withdrawn_before(engine):
    ect = await _ect(engine, withdrawn_at=utc(2025, 12, 1))
    return Attempt(ect.declaration("started", "2025-12-02T10:00:00Z", "other"))


async def withdrawn_at_the_declaration_moment(engine):
    ect = await _ect(engine, withdrawn_at=utc(2025, 12, 1))
    return Attempt(ect.declaration("started", "2025-12-01T10:00:00Z", "other"))


async def payments_frozen(engine):
    ect = await _ect(engine, year=2022)  # started: 2022-06-01 -> 2022-12-31
    return Attempt(ect.declaration("started", "2022-10-01T10:00:00Z"))


async def no_open_statement(engine):
    # Sandbox statements run 20 months past the seed day, so years later none is open.
    return Attempt(
        (await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z", "other"), server_date="2031-06-01T12:00:00Z"
    )


async def missing_evidence(engine):
    ect = await _ect(engine, year=2024)
    return Attempt(ect.declaration("retained-1", "2025-02-01T10:00:00Z"))


async def detailed_evidence_before_2025(engine):
    ect = await _ect(engine, year=2024)
    return Attempt(ect.declaration("retained-1", "2025-02-01T10:00:00Z", "materials-engaged-with-offline"))


async def missing_evidence_on_started_from_2025(engine):
    return Attempt((await _ect(engine)).declaration("started", "2025-10-01T10:00:00Z"))


async def simple_evidence_for_retained_2_from_2025(engine):
    return Attempt((await _ect(engine)).declaration("retained-2", "2025-10-01T10:00:00Z", "training-event-attended"))


async def one_term_induction_for_a_mentor(engine):
    mentor = await make_trainee(engine, role=MENTOR)
    return Attempt(mentor.declaration("completed", "2025-10-01T10:00:00Z", "one-term-induction"))


REFUSALS = [
    Refusal("missing participant", missing_participant, "participant_id", "Enter a '#/participant_id'."),
    Refusal(
        "unknown participant",
        unknown_participant,
        "participant_id",
        "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again.",
    ),
    Refusal(
        "participant of another provider",
        participant_of_another_provider,
        "participant_id",
        "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again.",
    ),
    Refusal("missing course", missing_course, "course_identifier", "Enter a '#/course_identifier'."),
    Refusal(
        "course of another role",
        course_of_another_role,
        "course_identifier",
        "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again.",
    ),
    Refusal("missing date", missing_date, "declaration_date", "Enter a '#/declaration_date'."),
    Refusal("date not RFC 3339", date_not_rfc3339, "declaration_date", "Enter a valid RCF3339 '#/declaration_date'."),
    Refusal(
        "future date",
        future_date,
        "declaration_date",
        "The '#/declaration_date' value cannot be a future date. Check the date and try again.",
    ),
    Refusal(
        "before milestone start",
        before_milestone_start,
        "declaration_date",
        "Declaration date must be on or after the milestone start date for the same declaration type.",
    ),
    Refusal(
        "after milestone date",
        after_milestone_date,
        "declaration_date",
        "Declaration date must be on or before the milestone date for the same declaration type.",
    ),
    Refusal(
        "out of sequence",
        out_of_sequence,
        "declaration_date",
        "This '#/declaration_date' is invalid. Check that it is in sequence with existing declaration dates for this participant.",
    ),
    Refusal("missing type", missing_type, "declaration_type", "Enter a '#/declaration_type'."),
    Refusal("unknown type", unknown_type, "declaration_type", "Enter a valid declaration type."),
    Refusal(
        "type not on schedule",
        type_not_on_schedule,
        "declaration_type",
        "The property '#/declaration_type' does not exist for this schedule.",
    ),
    Refusal(
        "retained for a funded mentor",
        retained_for_funded_mentor,
        "declaration_type",
        "You cannot send retained or extended declarations for participants who began their mentor training after June 2025. "
        "Resubmit this declaration with either a started or completed declaration.",
    ),
    Refusal(
        "slot taken by another provider",
        slot_taken_by_another_provider,
        "declaration_type",
        "A declaration has already been submitted that will be, or has been, paid for this event.",
    ),
    Refusal(
        "withdrawn before",
        withdrawn_before,
        "participant_id",
        "This participant withdrew from this course on 2025-12-01T10:00:00Z. "
        "Enter a '#/declaration_date' that's on or before the withdrawal date.",
    ),
    Refusal(
        "withdrawn at the declaration moment",
        withdrawn_at_the_declaration_moment,
        "participant_id",
        "This participant withdrew from this course on 2025-12-01T10:00:00Z. "
        "Enter a '#/declaration_date' that's on or before the withdrawal date.",
    ),
    Refusal(
        "payments frozen",
        payments_frozen,
        "cohort",
        "You cannot submit declarations for the 2022 cohort. The funding contract for this cohort has ended. "
        "Get in touch if you need to discuss this with us.",
    ),
    Refusal(
        "no open statement",
        no_open_statement,
        "cohort",
        "You cannot submit or void declarations for the 2025 cohort. The funding contract for this cohort has ended. "
        "Get in touch if you need to discuss this with us.",
    ),
    Refusal(
        "missing evidence", missing_evidence, "evidence_held", "Enter a '#/evidence_held' value for this participant."
    ),
    Refusal(
        "missing evidence on started from 2025",
        missing_evidence_on_started_from_2025,
        "evidence_held",
        "Enter a '#/evidence_held' value for this participant.",
    ),
    Refusal(
        "detailed evidence before 2025",
        detailed_evidence_before_2025,
        "evidence_held",
        "Enter an available '#/evidence_held' type for this participant.",
    ),
    Refusal(
        "simple evidence for retained-2 from 2025",
        simple_evidence_for_retained_2_from_2025,
        "evidence_held",
        "Enter an available '#/evidence_held' type for this participant.",
    ),
    Refusal(
        "one-term induction for a mentor",
        one_term_induction_for_a_mentor,
        "evidence_held",
        "Enter an available '#/evidence_held' type for this participant.",
    ),
]

CLAWED_BACK_MESSAGE = "This declaration has been clawed-back, so you can only view it."

VOID_REFUSALS = [
    VoidRefusal("voided", Case.DECLARATION_VOIDED, "The declaration has already been voided."),
    VoidRefusal("awaiting clawback", Case.DECLARATION_AWAITING_CLAWBACK, CLAWED_BACK_MESSAGE),
    VoidRefusal("clawed back", Case.DECLARATION_CLAWED_BACK, CLAWED_BACK_MESSAGE),
    VoidRefusal(
        "paid, no open statement",
        Case.DECLARATION_PAID,
        "You cannot submit or void declarations for the 2024 cohort. The funding contract for this cohort has ended. "
        "Get in touch if you need to discuss this with us.",
        server_date="2031-06-01T12:00:00Z",
    ),
]


def void_target(refusal: VoidRefusal) -> uuid.UUID:
    return case_id(refusal.declaration)
