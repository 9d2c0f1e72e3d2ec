"""Creating and updating partnerships (domain.md section 4): effects in the database, concurrency, permissions."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from sqlalchemy import select

from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Participant, Partnership, School, TrainingPeriod, TrainingRecord
from gateway.domain.callers import Caller
from gateway.domain.errors import FieldError, Forbidden, NotFound, ValidationFailed
from gateway.domain.participants.queries import get_participant
from gateway.domain.partnerships.actions import create_partnership, update_partnership
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import (
    AMBITION,
    BEST_PRACTICE_NETWORK,
    TEACH_FIRST,
    cohort_id,
    delivery_partner_id,
    lead_provider_id,
)
from gateway.vocabulary import Role
from tests.database_state import database_state
from tests.support import StatementCounter
from tests.write_action_cases import AMBITION_PARTNER, AMBITION_RECENT_PARTNER

_partnerships = Partnership.__table__
_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__
_participants = Participant.__table__
_schools = School.__table__

AMBITION_CALLER = Caller(
    role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id(AMBITION), lead_provider_name=AMBITION
)
TEACH_FIRST_CALLER = Caller(
    role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id(TEACH_FIRST), lead_provider_name=TEACH_FIRST
)
TEACH_FIRST_PARTNER = delivery_partner_id("Coastal Schools Teaching Hub")
ALREADY_PARTNERED = FieldError(
    "school_id", "You are already in a confirmed partnership with this school for the entered cohort."
)


async def _create(engine, caller: Caller, school: Case, partner: uuid.UUID, cohort: str = "2025"):
    async with write_transaction(engine) as conn:
        return await create_partnership(
            conn, caller, cohort=cohort, school_id=str(case_id(school)), delivery_partner_id=str(partner)
        )


async def _period_of(engine, participant: Case):
    async with read_connection(engine) as conn:
        stmt = (
            select(_periods)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .where(_records.c.participant_id == case_id(participant))
        )
        return (await conn.execute(stmt)).one()


async def _updated_at(engine, table, row_id):
    async with read_connection(engine) as conn:
        return (await conn.execute(select(table.c.updated_at).where(table.c.id == row_id))).scalar_one()


async def _partnership_of(engine, school: Case, lead_provider: str, year: int):
    async with read_connection(engine) as conn:
        stmt = select(_partnerships).where(
            _partnerships.c.school_id == case_id(school),
            _partnerships.c.lead_provider_id == lead_provider_id(lead_provider),
            _partnerships.c.cohort_id == cohort_id(year),
        )
        return (await conn.execute(stmt)).all()


class TestCreatePartnership:
    async def test_the_schools_periods_with_an_interest_in_the_provider_join_the_new_partnership(self, sandbox_db):
        interested_before = await _period_of(sandbox_db.engine, Case.EXPRESSION_OF_INTEREST_ECT)
        assert interested_before.partnership_id is None

        created = await _create(
            sandbox_db.engine, AMBITION_CALLER, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION_PARTNER
        )

        (stored,) = await _partnership_of(sandbox_db.engine, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION, 2025)
        assert (stored.id, stored.delivery_partner_id) == (created.id, AMBITION_PARTNER)
        interested = await _period_of(sandbox_db.engine, Case.EXPRESSION_OF_INTEREST_ECT)
        assert interested.partnership_id == created.id
        # The interest stays recorded: the school chose this provider for the participant.
        assert interested.expression_of_interest_lead_provider_id == lead_provider_id(AMBITION)
        other = await _period_of(sandbox_db.engine, Case.EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER)
        assert other.partnership_id is None
        assert other.expression_of_interest_lead_provider_id == lead_provider_id(BEST_PRACTICE_NETWORK)
        assert created.participants_currently_training == 1

    async def test_the_joining_participant_becomes_visible_to_the_provider_under_the_new_partnership(self, sandbox_db):
        async with read_connection(sandbox_db.engine) as conn:
            with pytest.raises(NotFound):
                await get_participant(conn, AMBITION_CALLER, case_id(Case.EXPRESSION_OF_INTEREST_ECT))

        created = await _create(
            sandbox_db.engine, AMBITION_CALLER, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION_PARTNER
        )

        async with read_connection(sandbox_db.engine) as conn:
            participant = await get_participant(conn, AMBITION_CALLER, case_id(Case.EXPRESSION_OF_INTEREST_ECT))
        (enrolment,) = participant.enrolments
        assert (enrolment.partnership_id, enrolment.delivery_partner_id) == (created.id, AMBITION_PARTNER)

    async def test_what_a_sync_reads_moves_the_joining_participant_and_the_school(self, sandbox_db):
        participant_before = await _updated_at(
            sandbox_db.engine, _participants, case_id(Case.EXPRESSION_OF_INTEREST_ECT)
        )
        other_before = await _updated_at(
            sandbox_db.engine, _participants, case_id(Case.EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER)
        )
        school_before = await _updated_at(sandbox_db.engine, _schools, case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST))

        created = await _create(
            sandbox_db.engine, AMBITION_CALLER, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION_PARTNER
        )

        assert (
            await _updated_at(sandbox_db.engine, _participants, case_id(Case.EXPRESSION_OF_INTEREST_ECT))
            > participant_before
        )
        assert (
            await _updated_at(sandbox_db.engine, _participants, case_id(Case.EXPRESSION_OF_INTEREST_ECT_OTHER_PROVIDER))
            == other_before
        )
        assert (
            await _updated_at(sandbox_db.engine, _schools, case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST))
            > school_before
        )
        assert created.updated_at >= created.created_at

    async def test_a_school_without_participants_can_be_partnered(self, sandbox_db):
        created = await _create(sandbox_db.engine, AMBITION_CALLER, Case.UNPARTNERED_ELIGIBLE_SCHOOL, AMBITION_PARTNER)
        assert (created.school_id, created.cohort, created.participants_currently_training) == (
            case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL),
            2025,
            0,
        )

    async def test_two_providers_may_partner_the_same_school_in_a_cohort(self, sandbox_db):
        await _create(sandbox_db.engine, AMBITION_CALLER, Case.UNPARTNERED_ELIGIBLE_SCHOOL, AMBITION_PARTNER)
        await _create(sandbox_db.engine, TEACH_FIRST_CALLER, Case.UNPARTNERED_ELIGIBLE_SCHOOL, TEACH_FIRST_PARTNER)

        assert len(await _partnership_of(sandbox_db.engine, Case.UNPARTNERED_ELIGIBLE_SCHOOL, AMBITION, 2025)) == 1
        assert len(await _partnership_of(sandbox_db.engine, Case.UNPARTNERED_ELIGIBLE_SCHOOL, TEACH_FIRST, 2025)) == 1

    async def test_checks_report_the_first_failure_of_every_attribute_in_the_published_order(self, readonly_db):
        async with write_transaction(readonly_db.engine) as conn:
            with pytest.raises(ValidationFailed) as refused:
                await create_partnership(
                    conn, AMBITION_CALLER, cohort=" ", school_id="not-an-id", delivery_partner_id=None
                )
        assert refused.value.errors == [
            FieldError("cohort", "Enter a '#/cohort'."),
            FieldError(
                "school_id",
                "The '#/school_id' you have entered is invalid. Check school details and try again. "
                "Contact the DfE for support if you are unable to find the '#/school_id'.",
            ),
            FieldError("delivery_partner_id", "Enter a '#/delivery_partner_id'."),
        ]

    async def test_a_cohort_of_superscript_digits_is_an_unknown_cohort(self, readonly_db):
        # str.isdigit accepts "²⁰²⁵" but int() refuses it: it once reached the client as a 500.
        with pytest.raises(ValidationFailed) as refused:
            await _create(
                readonly_db.engine, AMBITION_CALLER, Case.UNPARTNERED_ELIGIBLE_SCHOOL, AMBITION_PARTNER, cohort="²⁰²⁵"
            )
        assert refused.value.errors == [
            FieldError("cohort", "The '#/cohort' you have entered is invalid. Check cohort details and try again.")
        ]

    async def test_a_create_that_loses_the_race_gets_the_published_refusal_and_writes_nothing(self, sandbox_db):
        """The second create's checks run before the first commits, so only the unique constraint can stop it."""
        engine = sandbox_db.engine
        second_started = asyncio.Event()

        async def second_create():
            second_started.set()
            return await _create(engine, AMBITION_CALLER, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION_PARTNER)

        with StatementCounter(engine) as counter:
            async with write_transaction(engine) as first:
                created = await create_partnership(
                    first,
                    AMBITION_CALLER,
                    cohort="2025",
                    school_id=str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)),
                    delivery_partner_id=str(AMBITION_PARTNER),
                )
                second = asyncio.create_task(second_create())
                await second_started.wait()
                await asyncio.sleep(
                    0.5
                )  # PostgreSQL: the second blocks on the unique index; SQLite: on its BEGIN IMMEDIATE
            with pytest.raises(ValidationFailed) as refused:
                await second

        assert refused.value.errors == [ALREADY_PARTNERED]
        (stored,) = await _partnership_of(engine, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, AMBITION, 2025)
        assert stored.id == created.id
        assert (await _period_of(engine, Case.EXPRESSION_OF_INTEREST_ECT)).partnership_id == created.id
        inserts = [s for s in counter.statements if s.lstrip().upper().startswith("INSERT INTO PARTNERSHIPS")]
        if sandbox_db.is_postgres:
            assert len(inserts) == 2, "the second create passed its checks and was stopped by the constraint"

    async def test_an_analyst_may_not_create_partnerships(self, readonly_db):
        before = await database_state(readonly_db.engine)
        with pytest.raises(Forbidden):
            await _create(
                readonly_db.engine, Caller(role=Role.ANALYST), Case.UNPARTNERED_ELIGIBLE_SCHOOL, AMBITION_PARTNER
            )
        assert await database_state(readonly_db.engine) == before


class TestUpdatePartnership:
    async def test_the_partnership_takes_the_new_delivery_partner_and_its_participants_move_for_a_sync(
        self, sandbox_db
    ):
        (partnership,) = await _partnership_of(sandbox_db.engine, Case.AMBITION_HOME_SCHOOL, AMBITION, 2025)
        participant_before = await _updated_at(sandbox_db.engine, _participants, case_id(Case.ACTIVE_ECT))
        elsewhere_before = await _updated_at(
            sandbox_db.engine, _participants, case_id(Case.LEAVING_ECT)
        )  # 2024 partnership

        async with write_transaction(sandbox_db.engine) as conn:
            updated = await update_partnership(
                conn, AMBITION_CALLER, partnership.id, delivery_partner_id=str(AMBITION_RECENT_PARTNER)
            )

        assert (updated.delivery_partner_id, updated.delivery_partner_name) == (
            AMBITION_RECENT_PARTNER,
            "Thames Valley Teaching School Hub",
        )
        (stored,) = await _partnership_of(sandbox_db.engine, Case.AMBITION_HOME_SCHOOL, AMBITION, 2025)
        assert stored.delivery_partner_id == AMBITION_RECENT_PARTNER
        assert stored.updated_at > partnership.updated_at
        assert await _updated_at(sandbox_db.engine, _participants, case_id(Case.ACTIVE_ECT)) > participant_before
        assert await _updated_at(sandbox_db.engine, _participants, case_id(Case.LEAVING_ECT)) == elsewhere_before

    async def test_another_providers_partnership_is_not_found(self, readonly_db):
        (theirs,) = await _partnership_of(readonly_db.engine, Case.TEACH_FIRST_SCHOOL, TEACH_FIRST, 2025)
        async with write_transaction(readonly_db.engine) as conn:
            with pytest.raises(NotFound):
                await update_partnership(
                    conn, AMBITION_CALLER, theirs.id, delivery_partner_id=str(AMBITION_RECENT_PARTNER)
                )

    async def test_an_analyst_may_not_update_partnerships(self, readonly_db):
        (partnership,) = await _partnership_of(readonly_db.engine, Case.AMBITION_HOME_SCHOOL, AMBITION, 2025)
        async with write_transaction(readonly_db.engine) as conn:
            with pytest.raises(Forbidden):
                await update_partnership(
                    conn, Caller(role=Role.ANALYST), partnership.id, delivery_partner_id=str(AMBITION_RECENT_PARTNER)
                )
