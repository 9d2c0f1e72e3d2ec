"""Declarations under concurrent requests (PostgreSQL only: SQLite takes one writer at a time, so nothing races).

Requests run concurrently in one event loop through the app, each with its own
pooled connection and transaction, as concurrent clients would.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Declaration
from gateway.domain import finance
from gateway.domain.declarations.actions import void_declaration
from gateway.sandbox.reference import AMBITION
from gateway.vocabulary import Role
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import ADMIN, declare, make_trainee, open_output_statements, provider, statement_in_db
from tests.support import bearer, issue_token

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="races need PostgreSQL; SQLite serialises writers")

DECLARATIONS = "/api/v3/participant-declarations"
SLOT_TAKEN = "A declaration has already been submitted that will be, or has been, paid for this event."
AUTHORISE = (
    "mutation Authorise($id: ID!) { authoriseStatementPayment(id: $id) { statement { status } errors { message } } }"
)
RACERS = 20
declarations = Declaration.__table__


def _body(attributes: dict) -> dict:
    return {"data": {"type": "participant-declaration", "attributes": attributes}}


async def _rows_of(engine, training_record_id: uuid.UUID) -> list[dict]:
    async with read_connection(engine) as conn:
        rows = await conn.execute(select(declarations).where(declarations.c.training_record_id == training_record_id))
        return [dict(r) for r in rows.mappings()]


class TestConcurrentDeclarations:
    async def test_identical_submissions_create_one_declaration_and_all_get_its_body(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        body = _body(ect.declaration("started", "2025-10-01T10:00:00Z", "other"))

        responses = await asyncio.gather(
            *(client.post(DECLARATIONS, json=body, headers=bearer(token)) for _ in range(RACERS))
        )

        assert [r.status_code for r in responses] == [200] * RACERS
        assert len({r.content for r in responses}) == 1
        rows = await _rows_of(sandbox_db.engine, ect.training_record_id)
        assert [str(r["id"]) for r in rows] == [responses[0].json()["data"]["id"]]

    async def test_different_submissions_for_one_slot_create_one_declaration_and_refuse_the_rest(
        self, sandbox_db, client
    ):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        bodies = [
            _body(
                ect.declaration(
                    "started", f"2025-10-{day:02d}T10:00:00Z", "other" if day % 2 else "training-event-attended"
                )
            )
            for day in range(1, RACERS + 1)
        ]

        responses = await asyncio.gather(
            *(client.post(DECLARATIONS, json=body, headers=bearer(token)) for body in bodies)
        )

        statuses = sorted(r.status_code for r in responses)
        assert statuses == [200] + [422] * (RACERS - 1)
        refusals = [r.json() for r in responses if r.status_code == 422]
        assert all(r == {"errors": [{"title": "declaration_type", "detail": SLOT_TAKEN}]} for r in refusals)
        rows = await _rows_of(sandbox_db.engine, ect.training_record_id)
        winner = next(r for r in responses if r.status_code == 200).json()["data"]
        assert [(str(r["id"]), r["state"]) for r in rows] == [(winner["id"], "eligible")]


class TestVoidRacingPayment:
    async def test_each_declaration_is_voided_before_payment_or_paid_then_awaits_clawback(self, sandbox_db, client):
        engine = sandbox_db.engine
        statement, following = [
            s for s in await open_output_statements(engine, AMBITION, 2025) if s["cut_off_date"] >= clock.today()
        ][:2]
        declared = []
        for _ in range(10):
            ect = await make_trainee(engine)
            declared.append(
                await declare(engine, provider(AMBITION), ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
            )
        with clock.travel_to(datetime.combine(statement["cut_off_date"] + timedelta(days=1), time(6), tzinfo=UTC)):
            async with write_transaction(engine) as conn:
                await finance.mark_statement_payable(conn, ADMIN, statement["id"])
        lead_provider = await issue_token(engine, lead_provider=AMBITION)
        admin = await issue_token(engine, role=Role.ADMIN)
        payment_moment = f"{statement['payment_date'].isoformat()}T12:00:00Z"

        async def void(declaration_id: uuid.UUID, delay: float):
            await asyncio.sleep(delay)  # spread the voids over the payment's run, so some land before it and some after
            return await client.put(
                f"{DECLARATIONS}/{declaration_id}/void",
                headers={**bearer(lead_provider), "X-With-Server-Date": payment_moment},
            )

        payment = client.post(
            "/graphql",
            json={"query": AUTHORISE, "variables": {"id": str(statement["id"])}},
            headers={**bearer(admin), "X-With-Server-Date": payment_moment},
        )
        payment_response, *void_responses = await asyncio.gather(
            payment, *(void(d.id, i * 0.03) for i, d in enumerate(declared))
        )

        assert payment_response.json()["data"]["authoriseStatementPayment"] == {
            "statement": {"status": "PAID"},
            "errors": [],
        }
        assert [r.status_code for r in void_responses] == [200] * len(declared)
        assert (await statement_in_db(engine, statement["id"]))["status"] == "paid"
        for declaration, response in zip(declared, void_responses, strict=True):
            (row,) = await _rows_of(engine, declaration.training_record_id)
            assert response.json()["data"]["attributes"]["state"] == row["state"]
            assert (row["state"], row["statement_id"], row["clawback_statement_id"]) in (
                ("voided", None, None),
                ("awaiting-clawback", statement["id"], following["id"]),
            )


class TestVoidAndPaymentLocks:
    """Both orders of a void and a payment, forced: the second waits for the first to commit, then sees its result."""

    async def _payable(self, engine) -> tuple[uuid.UUID, dict, dict]:
        statement, following = [
            s for s in await open_output_statements(engine, AMBITION, 2025) if s["cut_off_date"] >= clock.today()
        ][:2]
        ect = await make_trainee(engine)
        row = await declare(engine, provider(AMBITION), ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        with clock.travel_to(datetime.combine(statement["cut_off_date"] + timedelta(days=1), time(6), tzinfo=UTC)):
            async with write_transaction(engine) as conn:
                await finance.mark_statement_payable(conn, ADMIN, statement["id"])
        return row.id, statement, following

    async def test_a_payment_waits_for_an_uncommitted_void_and_leaves_the_voided_declaration_off_the_statement(
        self, sandbox_db
    ):
        engine = sandbox_db.engine
        declaration_id, statement, _ = await self._payable(engine)

        with clock.travel_to(datetime.combine(statement["payment_date"], time(12), tzinfo=UTC)):
            async with engine.connect() as conn:
                transaction = await conn.begin()
                await void_declaration(conn, provider(AMBITION), declaration_id)
                payment = asyncio.create_task(
                    _in_transaction(engine, finance.authorise_payment, ADMIN, statement["id"])
                )
                await asyncio.sleep(0.5)
                assert not payment.done()  # blocked on the declaration row
                await transaction.commit()
            await payment

        row = await _one(engine, declaration_id)
        assert (row["state"], row["statement_id"], row["clawback_statement_id"]) == ("voided", None, None)
        assert (await statement_in_db(engine, statement["id"]))["status"] == "paid"
        assert all(r["state"] != "voided" for r in await _all_on(engine, statement["id"]))

    async def test_a_void_waits_for_an_uncommitted_payment_and_sends_the_paid_declaration_to_clawback(self, sandbox_db):
        engine = sandbox_db.engine
        declaration_id, statement, following = await self._payable(engine)

        with clock.travel_to(datetime.combine(statement["payment_date"], time(12), tzinfo=UTC)):
            async with engine.connect() as conn:
                transaction = await conn.begin()
                await finance.authorise_payment(conn, ADMIN, statement["id"])
                void = asyncio.create_task(
                    _in_transaction(engine, void_declaration, provider(AMBITION), declaration_id)
                )
                await asyncio.sleep(0.5)
                assert not void.done()  # blocked on the declaration row
                await transaction.commit()
            voided = await void

        row = await _one(engine, declaration_id)
        assert (row["state"], row["statement_id"], row["clawback_statement_id"]) == (
            "awaiting-clawback",
            statement["id"],
            following["id"],
        )
        assert voided.state == "awaiting-clawback"


async def _in_transaction(engine, action, caller, target):
    async with write_transaction(engine) as conn:
        return await action(conn, caller, target)


async def _one(engine, declaration_id: uuid.UUID) -> dict:
    async with read_connection(engine) as conn:
        return dict(
            (await conn.execute(select(declarations).where(declarations.c.id == declaration_id))).mappings().one()
        )


async def _all_on(engine, statement_id: uuid.UUID) -> list[dict]:
    async with read_connection(engine) as conn:
        return [
            dict(r)
            for r in (
                await conn.execute(select(declarations).where(declarations.c.statement_id == statement_id))
            ).mappings()
        ]
