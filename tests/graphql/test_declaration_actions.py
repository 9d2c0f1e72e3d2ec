"""The createDeclaration and voidDeclaration mutations: the REST checks and texts, as payload errors."""

from __future__ import annotations

import uuid

import pytest

from gateway.sandbox.cases import DECLARATION_IN_STATE, Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST
from gateway.vocabulary import CourseIdentifier, DeclarationState, DeclarationType, EvidenceHeld, Role
from tests.declaration_scenarios import (
    VOIDABLE_ELSEWHERE,
    ambition_declaration_teach_first_reads,
    declaration_in_db,
    make_trainee,
    snapshot,
)
from tests.fixtures.declaration_refusals import REFUSALS, VOID_REFUSALS, void_target
from tests.support import bearer, issue_token

DECLARATION_FIELDS = """
    id participantId declarationType declarationDate courseIdentifier state statementId clawbackStatementId
    evidenceHeld leadProviderName updatedAt statement { id }
"""

CREATE_DECLARATION = f"""
mutation CreateDeclaration($input: CreateDeclarationInput!) {{
    createDeclaration(input: $input) {{
        declaration {{ {DECLARATION_FIELDS} }}
        errors {{ attribute message }}
    }}
}}
"""

VOID_DECLARATION = f"""
mutation VoidDeclaration($id: ID!) {{
    voidDeclaration(id: $id) {{
        declaration {{ {DECLARATION_FIELDS} }}
        errors {{ attribute message }}
    }}
}}
"""

_INPUT_FIELDS = {
    "participant_id": ("participantId", None),
    "declaration_type": ("declarationType", DeclarationType),
    "declaration_date": ("declarationDate", None),
    "course_identifier": ("courseIdentifier", CourseIdentifier),
    "evidence_held": ("evidenceHeld", EvidenceHeld),
}


def _graphql_input(attributes: dict) -> tuple[dict, bool]:
    """The REST attributes as a CreateDeclarationInput, and whether every value fits its GraphQL type
    (a value outside its enum is passed on as sent, for GraphQL to refuse)."""
    found, fits = {}, True
    for name, value in attributes.items():
        if value is None:
            continue
        field, enum = _INPUT_FIELDS[name]
        if enum is not None and value in set(enum):
            value = enum(value).name
        elif enum is not None:
            fits = False
        found[field] = value
    return found, fits


async def _run(client, token: str, query: str, variables: dict, server_date: str | None = None) -> dict:
    headers = {**bearer(token), **({"X-With-Server-Date": server_date} if server_date else {})}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()


class TestCreateDeclaration:
    @pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
    async def test_each_refusal_is_reported_with_its_published_text_and_changes_nothing(
        self, refusals_db, client, refusal
    ):
        attempt = await refusal.build(refusals_db.engine)
        token = await issue_token(refusals_db.engine, lead_provider=attempt.lead_provider)
        before = await snapshot(refusals_db.engine)
        graphql_input, fits = _graphql_input(attempt.attributes)

        result = await _run(client, token, CREATE_DECLARATION, {"input": graphql_input}, attempt.server_date)

        if not fits:
            # Outside its enum: GraphQL refuses the variables before the action runs (a request error: no data).
            assert "data" not in result
            assert [e["extensions"]["code"] for e in result["errors"]] == ["BAD_USER_INPUT"]
        else:
            assert "errors" not in result
            assert result["data"]["createDeclaration"] == {
                "declaration": None,
                "errors": [{"attribute": refusal.attribute, "message": refusal.message}],
            }
        assert await snapshot(refusals_db.engine) == before

    async def test_a_declaration_is_answered_with_its_statement(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        variables = {
            "input": {
                "participantId": str(ect.participant_id),
                "declarationType": "RETAINED_2",
                "declarationDate": "2025-12-01T10:00:00Z",
                "courseIdentifier": "ECF_INDUCTION",
                "evidenceHeld": "SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET",
            }
        }

        result = await _run(client, token, CREATE_DECLARATION, variables)

        payload = result["data"]["createDeclaration"]
        assert payload["errors"] == []
        declaration = payload["declaration"]
        stored = await declaration_in_db(sandbox_db.engine, uuid.UUID(declaration["id"]))
        assert (declaration["state"], declaration["declarationType"], declaration["evidenceHeld"]) == (
            "ELIGIBLE",
            "RETAINED_2",
            "SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET",
        )
        assert stored["evidence_held"] == "75-percent-engagement-met"
        assert declaration["statement"] == {"id": str(stored["statement_id"])}
        assert declaration["leadProviderName"] == AMBITION

    async def test_an_exact_resubmission_answers_the_same_declaration(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        variables = {
            "input": {
                "participantId": str(ect.participant_id),
                "declarationType": "STARTED",
                "declarationDate": "2025-10-01T10:00:00Z",
                "courseIdentifier": "ECF_INDUCTION",
                "evidenceHeld": "OTHER",
            }
        }
        first = await _run(client, token, CREATE_DECLARATION, variables)
        before = await snapshot(sandbox_db.engine)

        again = await _run(client, token, CREATE_DECLARATION, variables, "2026-12-01T09:00:00Z")

        assert again == first and first["data"]["createDeclaration"]["errors"] == []
        assert await snapshot(sandbox_db.engine) == before

    async def test_an_analyst_is_forbidden(self, refusals_db, client):
        ect = await make_trainee(refusals_db.engine)
        token = await issue_token(refusals_db.engine, role=Role.ANALYST)
        variables = {"input": {"participantId": str(ect.participant_id), "declarationType": "STARTED"}}

        result = await _run(client, token, CREATE_DECLARATION, variables)

        assert result["data"] == {"createDeclaration": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["FORBIDDEN"]


class TestVoidDeclaration:
    @pytest.mark.parametrize("refusal", VOID_REFUSALS, ids=lambda r: r.name)
    async def test_each_refusal_is_reported_with_its_published_text_and_changes_nothing(
        self, refusals_db, client, refusal
    ):
        token = await issue_token(refusals_db.engine, lead_provider=AMBITION)
        before = await snapshot(refusals_db.engine)

        result = await _run(client, token, VOID_DECLARATION, {"id": str(void_target(refusal))}, refusal.server_date)

        assert result["data"]["voidDeclaration"] == {
            "declaration": None,
            "errors": [{"attribute": "participant_declaration_id", "message": refusal.message}],
        }
        assert await snapshot(refusals_db.engine) == before

    async def test_a_paid_declaration_is_answered_awaiting_clawback_on_a_statement(self, sandbox_db, client):
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        declaration_id = case_id(Case.DECLARATION_PAID)

        result = await _run(client, token, VOID_DECLARATION, {"id": str(declaration_id)})

        declaration = result["data"]["voidDeclaration"]["declaration"]
        stored = await declaration_in_db(sandbox_db.engine, declaration_id)
        assert (declaration["state"], stored["state"]) == ("AWAITING_CLAWBACK", "awaiting-clawback")
        assert declaration["clawbackStatementId"] == str(stored["clawback_statement_id"])
        assert declaration["statementId"] == str(stored["statement_id"]) != declaration["clawbackStatementId"]

    @pytest.mark.parametrize(
        "declaration_id", [case_id(Case.DECLARATION_ELIGIBLE), "not-an-id"], ids=["another provider's", "malformed"]
    )
    async def test_a_declaration_the_caller_did_not_submit_is_not_found(self, refusals_db, client, declaration_id):
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)

        result = await _run(client, token, VOID_DECLARATION, {"id": str(declaration_id)})

        assert result["data"] == {"voidDeclaration": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
        assert (await declaration_in_db(refusals_db.engine, case_id(Case.DECLARATION_ELIGIBLE)))["state"] == "eligible"


class TestVoidingAnotherProvidersDeclaration:
    """As on REST: NOT_FOUND in every state (never an error naming its state), and nothing changes."""

    @pytest.mark.parametrize("state", VOIDABLE_ELSEWHERE)
    async def test_is_not_found_in_every_state_and_changes_nothing(self, refusals_db, client, state):
        declaration_id = case_id(DECLARATION_IN_STATE[DeclarationState(state)])
        assert (await declaration_in_db(refusals_db.engine, declaration_id))["state"] == state
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)
        before = await snapshot(refusals_db.engine)

        result = await _run(client, token, VOID_DECLARATION, {"id": str(declaration_id)})

        assert result["data"] == {"voidDeclaration": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
        assert await snapshot(refusals_db.engine) == before

    async def test_is_not_found_even_when_the_caller_may_read_it(self, refusals_db, client):
        declaration_id = await ambition_declaration_teach_first_reads(refusals_db.engine)
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)
        before = await snapshot(refusals_db.engine)

        result = await _run(client, token, VOID_DECLARATION, {"id": str(declaration_id)})

        assert result["data"] == {"voidDeclaration": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
        assert await snapshot(refusals_db.engine) == before
