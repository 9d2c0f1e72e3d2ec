"""The example documents GraphiQL offers analysts (frontend/src/examples) answer their questions on the sandbox data."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.graphql.types.enums import DeclarationState
from tests.graphql.support import headers_for, nodes, run

EXAMPLES = Path(__file__).resolve().parents[2] / "frontend" / "src" / "examples"


def _example(name: str) -> str:
    return (EXAMPLES / name).read_text()


async def run_operation(client, headers, query: str, operation: str, **variables) -> dict:
    body = {"query": query, "operationName": operation, "variables": variables}
    return (await client.post("/graphql", json=body, headers=headers)).json()


@pytest.fixture
async def analyst(readonly_db) -> dict[str, str]:
    return await headers_for(readonly_db, None)


async def _ambition_id(client, analyst) -> str:
    answer = await run(client, analyst, _example("1-lead-providers.graphql"))
    assert "errors" not in answer, answer
    return next(p["id"] for p in answer["data"]["leadProviders"] if p["name"] == "Ambition Institute")


class TestAnalystExamples:
    async def test_lead_providers_lists_every_provider(self, readonly_db, client, analyst):
        answer = await run(client, analyst, _example("1-lead-providers.graphql"))
        assert len(answer["data"]["leadProviders"]) == 5

    async def test_declarations_by_state_are_one_providers_in_one_cohort(self, readonly_db, client, analyst):
        provider = await _ambition_id(client, analyst)
        answer = await run(
            client, analyst, _example("2-declarations-by-state.graphql"), leadProviderId=provider, cohort=["2025"]
        )
        found = nodes(answer)
        assert found and answer["data"]["declarations"]["totalCount"] >= len(found)
        assert {node["state"] for node in found} <= set(DeclarationState.__members__)

    async def test_a_statements_declarations_are_listed(self, readonly_db, client, analyst):
        provider = await _ambition_id(client, analyst)
        query = _example("3-statement-declarations.graphql")
        listed = await run_operation(client, analyst, query, "StatementsOfProvider", leadProviderId=provider)
        statements = [edge["node"] for edge in listed["data"]["statements"]["edges"]]
        answers = [
            await run_operation(client, analyst, query, "StatementDeclarations", statementId=statement["id"])
            for statement in statements
        ]
        assert all("errors" not in answer for answer in answers)
        assert any(answer["data"]["statement"]["declarations"] for answer in answers)
        assert {answer["data"]["statement"]["leadProvider"]["name"] for answer in answers} == {"Ambition Institute"}

    async def test_a_participants_history_has_their_records_and_declarations(self, readonly_db, client, analyst):
        declared = nodes(
            await run(client, analyst, "{ declarations(first: 1) { edges { node { id participantId } } } }")
        )
        (declaration,) = declared
        answer = await run(
            client, analyst, _example("4-participant-history.graphql"), participantId=declaration["participantId"]
        )
        assert "errors" not in answer, answer
        history = answer["data"]["participant"]
        assert history["id"] == declaration["participantId"] and history["enrolments"]
        assert declaration["id"] in {d["id"] for d in history["declarations"]}
