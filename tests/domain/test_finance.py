"""DfE finance: marking statements payable, authorising payment, making training records eligible, the daily close,
and the declaration life cycle they drive together with voiding (domain.md sections 6 and 7)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Cohort, LeadProvider, Statement
from gateway.domain import finance
from gateway.domain.callers import Caller
from gateway.domain.declarations.actions import void_declaration
from gateway.domain.errors import Forbidden, NotFound, ValidationFailed
from gateway.domain.participants.queries import participants_by_id
from gateway.sandbox.reference import AMBITION
from gateway.vocabulary import Role
from tests.declaration_scenarios import (
    ADMIN,
    declaration_in_db,
    declare,
    make_trainee,
    open_output_statements,
    provider,
    snapshot,
    statement_in_db,
)

AMBITION_CALLER = provider(AMBITION)
statements = Statement.__table__


def _morning_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(6), tzinfo=UTC)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


async def _admin(engine, action, *args, caller: Caller = ADMIN):
    async with write_transaction(engine) as conn:
        return await action(conn, caller, *args)


async def _void(engine, declaration_id: uuid.UUID):
    async with write_transaction(engine) as conn:
        return await void_declaration(conn, AMBITION_CALLER, declaration_id)


async def _next_open(engine, on_or_after: date) -> dict:
    return next(s for s in await open_output_statements(engine, AMBITION, 2025) if s["cut_off_date"] >= on_or_after)


async def _state(engine, declaration_id: uuid.UUID) -> tuple:
    stored = await declaration_in_db(engine, declaration_id)
    return stored["state"], stored["statement_id"], stored["clawback_statement_id"]


async def _eligible_declaration(engine, **options):
    ect = await make_trainee(engine, **options)
    return ect, await declare(engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))


class TestDeclarationLifeCycle:
    async def test_submitted_eligible_payable_paid_awaiting_clawback_clawed_back(self, sandbox_db):
        engine = sandbox_db.engine
        ect, row = await _eligible_declaration(engine, eligible=None)
        assert await _state(engine, row.id) == ("submitted", None, None)

        first = await _next_open(engine, clock.today())
        await _admin(engine, finance.mark_training_record_eligible, ect.training_record_id)
        assert await _state(engine, row.id) == ("eligible", first["id"], None)

        with clock.travel_to(_morning_after(first["cut_off_date"])):
            await _admin(engine, finance.mark_statement_payable, first["id"])
        assert await _state(engine, row.id) == ("payable", first["id"], None)

        paid_at = _noon(first["payment_date"])
        with clock.travel_to(paid_at):
            await _admin(engine, finance.authorise_payment, first["id"])
            assert await _state(engine, row.id) == ("paid", first["id"], None)
            second = await _next_open(engine, paid_at.date())
            await _void(engine, row.id)
        assert await _state(engine, row.id) == ("awaiting-clawback", first["id"], second["id"])
        assert (await statement_in_db(engine, first["id"]))["paid_at"] == paid_at

        with clock.travel_to(_morning_after(second["cut_off_date"])):
            await _admin(engine, finance.mark_statement_payable, second["id"])
        assert await _state(engine, row.id) == ("awaiting-clawback", first["id"], second["id"])

        with clock.travel_to(_noon(second["payment_date"])):
            await _admin(engine, finance.authorise_payment, second["id"])
        assert await _state(engine, row.id) == ("clawed-back", first["id"], second["id"])
        assert (await declaration_in_db(engine, row.id))["updated_at"] == _noon(second["payment_date"])

    @pytest.mark.parametrize("state", ["submitted", "eligible", "payable", "ineligible"])
    async def test_a_declaration_is_voided_from_each_unpaid_state_and_leaves_its_statement(self, sandbox_db, state):
        engine = sandbox_db.engine
        if state == "ineligible":
            await _eligible_declaration(engine, trn="2345678")
            _, row = await _eligible_declaration(engine, trn="2345678")
        else:
            _, row = await _eligible_declaration(engine, eligible=None if state == "submitted" else True)
        if state == "payable":
            first = await _next_open(engine, clock.today())
            with clock.travel_to(_morning_after(first["cut_off_date"])):
                await _admin(engine, finance.mark_statement_payable, first["id"])
        assert (await _state(engine, row.id))[0] == state

        voided = await _void(engine, row.id)

        assert await _state(engine, row.id) == ("voided", None, None)
        assert voided.state == "voided"


class TestMarkStatementPayable:
    async def test_its_eligible_declarations_become_payable_and_both_rows_are_stamped(self, sandbox_db):
        engine = sandbox_db.engine
        _, row = await _eligible_declaration(engine)
        first = await _next_open(engine, clock.today())
        moment = _morning_after(first["cut_off_date"])

        with clock.travel_to(moment):
            answered = await _admin(engine, finance.mark_statement_payable, first["id"])

        stored = await statement_in_db(engine, first["id"])
        assert (stored["status"], stored["updated_at"], answered.status) == ("payable", moment, "payable")
        assert (await declaration_in_db(engine, row.id))["updated_at"] == moment

    async def test_a_statement_before_its_cut_off_has_passed_is_refused(self, sandbox_db):
        first = await _next_open(sandbox_db.engine, clock.today())
        before = await snapshot(sandbox_db.engine)
        with clock.travel_to(_noon(first["cut_off_date"])), pytest.raises(ValidationFailed) as failure:
            await _admin(sandbox_db.engine, finance.mark_statement_payable, first["id"])
        assert [(e.attribute, e.message) for e in failure.value.errors] == [
            ("statement_id", finance.CUT_OFF_NOT_PASSED)
        ]
        assert await snapshot(sandbox_db.engine) == before

    @pytest.mark.parametrize("status, message", [("payable", finance.ALREADY_PAYABLE), ("paid", finance.ALREADY_PAID)])
    async def test_a_statement_no_longer_open_is_refused(self, sandbox_db, status, message):
        statement_id = await _any_statement(sandbox_db.engine, status)
        with pytest.raises(ValidationFailed) as failure:
            await _admin(sandbox_db.engine, finance.mark_statement_payable, statement_id)
        assert failure.value.errors[0].message == message

    @pytest.mark.parametrize("role", [Role.ANALYST, Role.LEAD_PROVIDER])
    async def test_only_dfe_finance_may(self, sandbox_db, role):
        caller = AMBITION_CALLER if role is Role.LEAD_PROVIDER else Caller(role=role)
        with pytest.raises(Forbidden):
            await _admin(
                sandbox_db.engine,
                finance.mark_statement_payable,
                await _any_statement(sandbox_db.engine, "open"),
                caller=caller,
            )

    async def test_an_unknown_statement_is_not_found(self, sandbox_db):
        with pytest.raises(NotFound):
            await _admin(sandbox_db.engine, finance.mark_statement_payable, uuid.uuid4())


class TestAuthorisePayment:
    async def test_an_open_statement_is_refused(self, sandbox_db):
        with pytest.raises(ValidationFailed) as failure:
            await _admin(sandbox_db.engine, finance.authorise_payment, await _any_statement(sandbox_db.engine, "open"))
        assert failure.value.errors[0].message == finance.NOT_YET_PAYABLE

    async def test_a_paid_statement_is_refused(self, sandbox_db):
        with pytest.raises(ValidationFailed) as failure:
            await _admin(sandbox_db.engine, finance.authorise_payment, await _any_statement(sandbox_db.engine, "paid"))
        assert failure.value.errors[0].message == finance.ALREADY_PAID

    async def test_a_lead_provider_may_not(self, sandbox_db):
        with pytest.raises(Forbidden):
            await _admin(
                sandbox_db.engine,
                finance.authorise_payment,
                await _any_statement(sandbox_db.engine, "payable"),
                caller=AMBITION_CALLER,
            )


class TestMarkTrainingRecordEligible:
    async def test_submitted_declarations_join_the_next_open_statement_and_others_stay_as_they_are(self, sandbox_db):
        engine = sandbox_db.engine
        ect, started = await _eligible_declaration(engine, eligible=False)
        retained = await declare(
            engine, AMBITION_CALLER, ect.declaration("retained-1", "2025-11-01T10:00:00Z", "other")
        )
        await _void(engine, retained.id)

        record = await _admin(engine, finance.mark_training_record_eligible, ect.training_record_id)

        first = await _next_open(engine, clock.today())
        assert await _state(engine, started.id) == ("eligible", first["id"], None)
        assert await _state(engine, retained.id) == ("voided", None, None)
        assert record.eligible_for_funding is True
        assert sorted(d.id for d in record.declarations) == sorted([started.id, retained.id])

    async def test_later_declarations_of_the_record_are_eligible_from_the_start(self, sandbox_db):
        engine = sandbox_db.engine
        ect = await make_trainee(engine, eligible=None)
        await _admin(engine, finance.mark_training_record_eligible, ect.training_record_id)
        row = await declare(engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        assert row.state == "eligible"

    async def test_the_participant_is_stamped_so_a_provider_sync_sees_its_new_funding(self, sandbox_db):
        engine = sandbox_db.engine
        ect = await make_trainee(engine, eligible=False)
        moment = datetime(2031, 3, 4, 5, 6, 7, tzinfo=UTC)
        with clock.travel_to(moment):
            await _admin(engine, finance.mark_training_record_eligible, ect.training_record_id)
        async with read_connection(engine) as conn:
            found = await participants_by_id(conn, AMBITION_CALLER, [ect.participant_id])
        assert found[ect.participant_id].updated_at == moment
        assert [e.eligible_for_funding for e in found[ect.participant_id].enrolments] == [True]

    async def test_an_unknown_training_record_is_not_found(self, sandbox_db):
        with pytest.raises(NotFound):
            await _admin(sandbox_db.engine, finance.mark_training_record_eligible, uuid.uuid4())


class TestCloseStatements:
    async def test_every_open_statement_past_its_cut_off_becomes_payable_once(self, sandbox_db):
        engine = sandbox_db.engine
        _, row = await _eligible_declaration(engine)
        first = await _next_open(engine, clock.today())
        moment = _morning_after(first["cut_off_date"])
        due = await _statement_ids(engine, statements.c.status == "open", statements.c.cut_off_date < moment.date())
        assert first["id"] in due

        with clock.travel_to(moment):
            async with write_transaction(engine) as conn:
                closed = await finance.close_statements(conn)
            async with write_transaction(engine) as conn:
                closed_again = await finance.close_statements(conn)

        assert (closed, closed_again) == (len(due), 0)
        assert await _statement_ids(engine, statements.c.id.in_(due), statements.c.status != "payable") == set()
        assert (
            await _statement_ids(engine, statements.c.status == "open", statements.c.cut_off_date < moment.date())
            == set()
        )
        assert await _state(engine, row.id) == ("payable", first["id"], None)


async def _any_statement(engine, status: str) -> uuid.UUID:
    async with read_connection(engine) as conn:
        return (await conn.execute(select(statements.c.id).where(statements.c.status == status).limit(1))).scalar_one()


async def _statement_ids(engine, *conditions) -> set[uuid.UUID]:
    async with read_connection(engine) as conn:
        return set((await conn.execute(select(statements.c.id).where(*conditions))).scalars())


class TestCloseStatementsOnTheBoundary:
    """A statement closes only once its cut-off day has passed: not on the day itself, to its last second."""

    CUT_OFF = date(2026, 3, 31)
    PASSED_YESTERDAY = uuid.UUID("00000000-0000-4000-8000-000000000001")  # cut-off the day before CUT_OFF
    ON_THE_DAY = uuid.UUID("00000000-0000-4000-8000-000000000002")  # cut-off on CUT_OFF
    TOMORROW = uuid.UUID("00000000-0000-4000-8000-000000000003")  # cut-off the day after CUT_OFF
    ALREADY_PAYABLE = uuid.UUID("00000000-0000-4000-8000-000000000004")  # past, no longer open
    ALREADY_PAID = uuid.UUID("00000000-0000-4000-8000-000000000005")

    async def _statements(self, engine) -> None:
        lead_provider, cohort = uuid.uuid4(), uuid.uuid4()
        rows = [
            (self.PASSED_YESTERDAY, 1, self.CUT_OFF - timedelta(days=1), "open"),
            (self.ON_THE_DAY, 2, self.CUT_OFF, "open"),
            (self.TOMORROW, 3, self.CUT_OFF + timedelta(days=1), "open"),
            (self.ALREADY_PAYABLE, 4, self.CUT_OFF - timedelta(days=30), "payable"),
            (self.ALREADY_PAID, 5, self.CUT_OFF - timedelta(days=60), "paid"),
        ]
        async with write_transaction(engine) as conn:
            await conn.execute(LeadProvider.__table__.insert().values(id=lead_provider, name="A provider"))
            await conn.execute(Cohort.__table__.insert().values(id=cohort, year=2025, starts_on=date(2025, 9, 1)))
            for statement_id, month, cut_off, status in rows:
                await conn.execute(
                    statements.insert().values(
                        id=statement_id,
                        lead_provider_id=lead_provider,
                        cohort_id=cohort,
                        month=month,
                        year=2026,
                        cut_off_date=cut_off,
                        payment_date=cut_off + timedelta(days=25),
                        status=status,
                    )
                )

    async def _close_at(self, engine, moment: datetime) -> int:
        with clock.travel_to(moment):
            async with write_transaction(engine) as conn:
                return await finance.close_statements(conn)

    async def _payable(self, engine) -> set[uuid.UUID]:
        return await _statement_ids(engine, statements.c.status == "payable")

    async def test_the_last_second_of_the_cut_off_day_leaves_it_open(self, empty_db):
        await self._statements(empty_db.engine)

        closed = await self._close_at(empty_db.engine, datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=UTC))

        assert closed == 1
        assert await self._payable(empty_db.engine) == {self.PASSED_YESTERDAY, self.ALREADY_PAYABLE}

    async def test_the_first_moment_of_the_next_day_closes_it(self, empty_db):
        await self._statements(empty_db.engine)

        closed = await self._close_at(empty_db.engine, datetime(2026, 4, 1, 0, 0, 0, tzinfo=UTC))

        assert closed == 2
        assert await self._payable(empty_db.engine) == {self.PASSED_YESTERDAY, self.ON_THE_DAY, self.ALREADY_PAYABLE}
        assert await _statement_ids(empty_db.engine, statements.c.status == "open") == {self.TOMORROW}
        assert await _statement_ids(empty_db.engine, statements.c.status == "paid") == {self.ALREADY_PAID}
