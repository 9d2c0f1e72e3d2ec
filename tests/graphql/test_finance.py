"""The DfE finance mutations, and a declaration's whole life driven through GraphQL with time travel."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from gateway import clock
from gateway.sandbox.reference import AMBITION
from gateway.vocabulary import Role
from tests.declaration_scenarios import (
    declaration_in_db,
    make_trainee,
    open_output_statements,
    snapshot,
    statement_in_db,
)
from tests.support import bearer, issue_token

STATEMENT_FIELDS = "id status paid paidAt updatedAt declarations { id state }"

MARK_STATEMENT_PAYABLE = f"""
mutation MarkStatementPayable($id: ID!) {{
    markStatementPayable(id: $id) {{ statement {{ {STATEMENT_FIELDS} }} errors {{ attribute message }} }}
}}
"""

AUTHORISE_STATEMENT_PAYMENT = f"""
mutation AuthoriseStatementPayment($id: ID!) {{
    authoriseStatementPayment(id: $id) {{ statement {{ {STATEMENT_FIELDS} }} errors {{ attribute message }} }}
}}
"""

MARK_TRAINING_RECORD_ELIGIBLE = """
mutation MarkTrainingRecordEligible($id: ID!) {
    markTrainingRecordEligible(trainingRecordId: $id) {
        trainingRecord { id participantId participantType eligibleForFunding declarations { id state statementId } }
        errors { attribute message }
    }
}
"""

CREATE_DECLARATION = """
mutation CreateDeclaration($input: CreateDeclarationInput!) {
    createDeclaration(input: $input) { declaration { id state statementId } errors { attribute message } }
}
"""

VOID_DECLARATION = """
mutation VoidDeclaration($id: ID!) {
    voidDeclaration(id: $id) { declaration { id state statementId clawbackStatementId } errors { attribute message } }
}
"""

DECLARATION = """
query Declaration($id: ID!) { declaration(id: $id) { state statementId clawbackStatementId } }
"""

MARK_PAYABLE_THEN_AUTHORISE = f"""
mutation MarkPayableThenAuthorise($id: ID!) {{
    payable: markStatementPayable(id: $id) {{ statement {{ {STATEMENT_FIELDS} }} errors {{ attribute message }} }}
    paid: authoriseStatementPayment(id: $id) {{ statement {{ {STATEMENT_FIELDS} }} errors {{ attribute message }} }}
}}
"""


async def _run(client, token: str, query: str, variables: dict, server_date: date | str | None = None) -> dict:
    headers = bearer(token)
    if server_date is not None:
        headers["X-With-Server-Date"] = (
            server_date if isinstance(server_date, str) else f"{server_date.isoformat()}T12:00:00Z"
        )
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()


def _codes(result: dict) -> list[str]:
    return [e["extensions"]["code"] for e in result.get("errors", [])]


async def _declare_started(client, token: str, participant_id) -> dict:
    """The provider declares the trainee started on 1 October 2025; the declaration as createDeclaration answers it."""
    attributes = {
        "participantId": str(participant_id),
        "declarationType": "STARTED",
        "declarationDate": "2025-10-01T10:00:00Z",
        "courseIdentifier": "ECF_INDUCTION",
        "evidenceHeld": "TRAINING_EVENT_ATTENDED",
    }
    created = await _run(client, token, CREATE_DECLARATION, {"input": attributes})
    assert "errors" not in created, created
    return created["data"]["createDeclaration"]["declaration"]


async def _next_open(engine, on_or_after: date) -> dict:
    return next(s for s in await open_output_statements(engine, AMBITION, 2025) if s["cut_off_date"] >= on_or_after)


class TestDeclarationLifeCycle:
    async def test_a_declaration_is_paid_then_clawed_back_through_the_mutations(self, sandbox_db, client):
        engine = sandbox_db.engine
        ect = await make_trainee(engine, eligible=None)
        provider = await issue_token(engine, lead_provider=AMBITION)
        admin = await issue_token(engine, role=Role.ADMIN)
        first = await _next_open(engine, clock.today())

        declaration = await _declare_started(client, provider, ect.participant_id)
        declaration_id = declaration["id"]
        assert (declaration["state"], declaration["statementId"]) == ("SUBMITTED", None)

        eligible = await _run(client, admin, MARK_TRAINING_RECORD_ELIGIBLE, {"id": str(ect.training_record_id)})
        record = eligible["data"]["markTrainingRecordEligible"]["trainingRecord"]
        assert (record["eligibleForFunding"], record["participantType"]) == (True, "ECT")
        assert record["declarations"] == [{"id": declaration_id, "state": "ELIGIBLE", "statementId": str(first["id"])}]

        payable = await _run(
            client, admin, MARK_STATEMENT_PAYABLE, {"id": str(first["id"])}, first["cut_off_date"] + timedelta(days=1)
        )
        statement = payable["data"]["markStatementPayable"]["statement"]
        assert (statement["status"], statement["paid"]) == ("PAYABLE", False)
        assert {"id": declaration_id, "state": "PAYABLE"} in statement["declarations"]

        paid = await _run(client, admin, AUTHORISE_STATEMENT_PAYMENT, {"id": str(first["id"])}, first["payment_date"])
        statement = paid["data"]["authoriseStatementPayment"]["statement"]
        assert (statement["status"], statement["paid"], statement["paidAt"]) == (
            "PAID",
            True,
            f"{first['payment_date']}T12:00:00Z",
        )
        assert {"id": declaration_id, "state": "PAID"} in statement["declarations"]

        second = await _next_open(engine, first["payment_date"])
        voided = await _run(
            client, provider, VOID_DECLARATION, {"id": declaration_id}, first["payment_date"] + timedelta(days=1)
        )
        assert voided["data"]["voidDeclaration"]["declaration"] == {
            "id": declaration_id,
            "state": "AWAITING_CLAWBACK",
            "statementId": str(first["id"]),
            "clawbackStatementId": str(second["id"]),
        }

        await _run(
            client, admin, MARK_STATEMENT_PAYABLE, {"id": str(second["id"])}, second["cut_off_date"] + timedelta(days=1)
        )
        clawed = await _run(
            client, admin, AUTHORISE_STATEMENT_PAYMENT, {"id": str(second["id"])}, second["payment_date"]
        )
        assert {"id": declaration_id, "state": "CLAWED_BACK"} in clawed["data"]["authoriseStatementPayment"][
            "statement"
        ]["declarations"]

        shown = await _run(client, provider, DECLARATION, {"id": declaration_id})
        assert shown["data"]["declaration"] == {
            "state": "CLAWED_BACK",
            "statementId": str(first["id"]),
            "clawbackStatementId": str(second["id"]),
        }
        stored = await declaration_in_db(engine, uuid.UUID(declaration_id))
        assert (stored["state"], stored["clawback_statement_id"]) == ("clawed-back", second["id"])


class TestFinanceMutations:
    async def test_each_mutation_of_a_document_answers_with_what_it_changed(self, sandbox_db, client):
        engine = sandbox_db.engine
        ect = await make_trainee(engine, eligible=None)
        provider = await issue_token(engine, lead_provider=AMBITION)
        admin = await issue_token(engine, role=Role.ADMIN)
        first = await _next_open(engine, clock.today())
        declaration_id = (await _declare_started(client, provider, ect.participant_id))["id"]
        await _run(client, admin, MARK_TRAINING_RECORD_ELIGIBLE, {"id": str(ect.training_record_id)})

        result = await _run(client, admin, MARK_PAYABLE_THEN_AUTHORISE, {"id": str(first["id"])}, first["payment_date"])

        assert "errors" not in result, result
        payable, paid = result["data"]["payable"]["statement"], result["data"]["paid"]["statement"]
        assert {"id": declaration_id, "state": "PAYABLE"} in payable["declarations"]
        assert paid["status"] == "PAID"
        assert {"id": declaration_id, "state": "PAID"} in paid["declarations"]

    @pytest.mark.parametrize(
        "mutation", [MARK_STATEMENT_PAYABLE, AUTHORISE_STATEMENT_PAYMENT], ids=["mark payable", "authorise"]
    )
    @pytest.mark.parametrize("role", [Role.LEAD_PROVIDER, Role.ANALYST])
    async def test_only_dfe_finance_may_change_a_statement(self, sandbox_db, client, mutation, role):
        token = (
            await issue_token(sandbox_db.engine, lead_provider=AMBITION)
            if role is Role.LEAD_PROVIDER
            else await issue_token(sandbox_db.engine, role=role)
        )
        first = await _next_open(sandbox_db.engine, clock.today())
        before = await snapshot(sandbox_db.engine)

        result = await _run(
            client, token, mutation, {"id": str(first["id"])}, first["cut_off_date"] + timedelta(days=1)
        )

        assert _codes(result) == ["FORBIDDEN"]
        assert list(result["data"].values()) == [None]
        assert await snapshot(sandbox_db.engine) == before

    async def test_only_dfe_finance_may_make_a_training_record_eligible(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine, eligible=None)
        token = await issue_token(sandbox_db.engine, role=Role.ANALYST)
        result = await _run(client, token, MARK_TRAINING_RECORD_ELIGIBLE, {"id": str(ect.training_record_id)})
        assert (_codes(result), result["data"]) == (["FORBIDDEN"], {"markTrainingRecordEligible": None})

    async def test_a_statement_before_its_cut_off_is_refused_in_the_payload(self, sandbox_db, client):
        token = await issue_token(sandbox_db.engine, role=Role.ADMIN)
        first = await _next_open(sandbox_db.engine, clock.today())

        result = await _run(client, token, MARK_STATEMENT_PAYABLE, {"id": str(first["id"])}, first["cut_off_date"])

        assert result["data"]["markStatementPayable"] == {
            "statement": None,
            "errors": [
                {
                    "attribute": "statement_id",
                    "message": "The statement cannot be marked payable until its cut-off date has passed.",
                }
            ],
        }
        assert (await statement_in_db(sandbox_db.engine, first["id"]))["status"] == "open"

    async def test_an_open_statement_cannot_be_paid(self, sandbox_db, client):
        token = await issue_token(sandbox_db.engine, role=Role.ADMIN)
        first = await _next_open(sandbox_db.engine, clock.today())

        result = await _run(client, token, AUTHORISE_STATEMENT_PAYMENT, {"id": str(first["id"])})

        assert result["data"]["authoriseStatementPayment"]["errors"] == [
            {
                "attribute": "statement_id",
                "message": "The statement must be marked payable before its payment can be authorised.",
            }
        ]

    @pytest.mark.parametrize(
        "mutation", [MARK_STATEMENT_PAYABLE, AUTHORISE_STATEMENT_PAYMENT, MARK_TRAINING_RECORD_ELIGIBLE]
    )
    @pytest.mark.parametrize("target", [str(uuid.uuid4()), "not-an-id"], ids=["unknown", "malformed"])
    async def test_an_unknown_target_is_not_found(self, sandbox_db, client, mutation, target):
        token = await issue_token(sandbox_db.engine, role=Role.ADMIN)
        result = await _run(client, token, mutation, {"id": target})
        assert _codes(result) == ["NOT_FOUND"]
        assert list(result["data"].values()) == [None]
