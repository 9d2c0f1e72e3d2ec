"""POST /api/v3/participant-declarations and PUT /api/v3/participant-declarations/{id}/void."""

from __future__ import annotations

import uuid

import httpx
import pytest

from gateway.app import create_app
from gateway.config import get_settings
from gateway.rest.openapi import served_document
from gateway.sandbox.cases import DECLARATION_IN_STATE, Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST
from gateway.vocabulary import DeclarationState, Role
from tests.declaration_scenarios import (
    VOIDABLE_ELSEWHERE,
    ambition_declaration_teach_first_reads,
    declaration_in_db,
    make_trainee,
    snapshot,
)
from tests.fixtures.declaration_refusals import REFUSALS, VOID_REFUSALS, void_target
from tests.rest.openapi_validation import ResponseValidator
from tests.rest.support import NOT_FOUND
from tests.support import UNREACHED_RATE_LIMIT, bearer, issue_token

DECLARATIONS = "/api/v3/participant-declarations"
VOID = "/api/v3/participant-declarations/{id}/void"
VALIDATOR = ResponseValidator(served_document())
FUTURE = "The '#/declaration_date' value cannot be a future date. Check the date and try again."


def _body(attributes: dict) -> dict:
    return {"data": {"type": "participant-declaration", "attributes": attributes}}


def _headers(token: str, server_date: str | None = None) -> dict:
    return {**bearer(token), **({"X-With-Server-Date": server_date} if server_date else {})}


class TestCreateDeclaration:
    @pytest.mark.parametrize("refusal", REFUSALS, ids=lambda r: r.name)
    async def test_each_refusal_is_a_422_with_its_published_text_and_changes_nothing(
        self, refusals_db, client, refusal
    ):
        attempt = await refusal.build(refusals_db.engine)
        token = await issue_token(refusals_db.engine, lead_provider=attempt.lead_provider)
        before = await snapshot(refusals_db.engine)

        response = await client.post(
            DECLARATIONS, json=_body(attempt.attributes), headers=_headers(token, attempt.server_date)
        )

        assert response.status_code == 422
        assert response.json() == {"errors": [{"title": refusal.attribute, "detail": refusal.message}]}
        assert VALIDATOR.errors(DECLARATIONS, response.json(), method="post", status="422") == []
        assert await snapshot(refusals_db.engine) == before

    async def test_a_declaration_is_answered_200_in_the_shape_the_get_renders(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)

        response = await client.post(
            DECLARATIONS, json=_body(ect.declaration("started", "2025-10-01T10:00:00Z", "other")), headers=bearer(token)
        )

        assert response.status_code == 200
        assert VALIDATOR.errors(DECLARATIONS, response.json(), method="post") == []
        created = response.json()["data"]
        shown = await client.get(f"{DECLARATIONS}/{created['id']}", headers=bearer(token))
        assert shown.json() == {"data": created}
        stored = await declaration_in_db(sandbox_db.engine, uuid.UUID(created["id"]))
        assert created["type"] == "participant-declaration"
        assert created["attributes"]["state"] == stored["state"] == "eligible"
        assert created["attributes"]["statement_id"] == str(stored["statement_id"])
        assert created["attributes"]["declaration_date"] == "2025-10-01T10:00:00Z"
        assert created["attributes"]["lead_provider_name"] == AMBITION

    async def test_an_exact_resubmission_is_answered_200_with_the_same_body(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        body = _body(ect.declaration("completed", "2025-10-01T10:00:00Z", "one-term-induction"))
        first = await client.post(DECLARATIONS, json=body, headers=bearer(token))
        before = await snapshot(sandbox_db.engine)

        again = await client.post(DECLARATIONS, json=body, headers=_headers(token, "2026-12-01T09:00:00Z"))

        assert (first.status_code, again.status_code) == (200, 200)
        assert again.content == first.content
        assert await snapshot(sandbox_db.engine) == before

    async def test_attributes_of_the_wrong_json_type_are_refused_not_crashed_on(self, refusals_db, client):
        token = await issue_token(refusals_db.engine, lead_provider=AMBITION)
        attributes = {
            "participant_id": 7,
            "declaration_type": ["started"],
            "declaration_date": 20251001,
            "course_identifier": {},
        }

        response = await client.post(DECLARATIONS, json=_body(attributes), headers=bearer(token))

        assert response.status_code == 422
        assert [e["title"] for e in response.json()["errors"]] == [
            "participant_id",
            "course_identifier",
            "declaration_date",
            "declaration_type",
        ]

    async def test_a_body_without_data_is_a_400(self, refusals_db, client):
        token = await issue_token(refusals_db.engine, lead_provider=AMBITION)
        response = await client.post(DECLARATIONS, content=b"not json", headers=bearer(token))
        assert response.status_code == 400
        assert response.json() == {
            "errors": [
                {"title": "Bad request", "detail": "correct json data structure required. See API docs for reference"}
            ]
        }
        assert VALIDATOR.errors(DECLARATIONS, response.json(), method="post", status="400") == []

    async def test_an_analyst_may_not_declare(self, refusals_db, client):
        ect = await make_trainee(refusals_db.engine)
        token = await issue_token(refusals_db.engine, role=Role.ANALYST)
        response = await client.post(
            DECLARATIONS, json=_body(ect.declaration("started", "2025-10-01T10:00:00Z", "other")), headers=bearer(token)
        )
        assert response.status_code == 403


class TestTimeTravel:
    async def test_the_sandbox_checks_dates_as_of_the_server_date_header(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        body = _body(ect.declaration("started", "2025-10-01T10:00:00Z", "other"))

        response = await client.post(DECLARATIONS, json=body, headers=_headers(token, "2025-09-01T00:00:00Z"))

        assert response.status_code == 422
        assert response.json()["errors"] == [{"title": "declaration_date", "detail": FUTURE}]

    async def test_production_ignores_the_server_date_header(self, sandbox_db, monkeypatch):
        ect = await make_trainee(sandbox_db.engine)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        body = _body(ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        monkeypatch.setenv("GATEWAY_ENV", "production")
        get_settings.cache_clear()
        try:
            async with _client_on_app() as production:
                response = await production.post(
                    DECLARATIONS, json=body, headers=_headers(token, "2025-09-01T00:00:00Z")
                )
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()

        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["state"] == "eligible"


def _client_on_app() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=create_app(rate_limit=UNREACHED_RATE_LIMIT), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://gateway.test")


class TestVoidDeclaration:
    @pytest.mark.parametrize("refusal", VOID_REFUSALS, ids=lambda r: r.name)
    async def test_each_refusal_is_a_422_with_its_published_text_and_changes_nothing(
        self, refusals_db, client, refusal
    ):
        token = await issue_token(refusals_db.engine, lead_provider=AMBITION)
        before = await snapshot(refusals_db.engine)

        response = await client.put(
            f"{DECLARATIONS}/{void_target(refusal)}/void", headers=_headers(token, refusal.server_date)
        )

        assert response.status_code == 422
        assert response.json() == {"errors": [{"title": "participant_declaration_id", "detail": refusal.message}]}
        assert VALIDATOR.errors(VOID, response.json(), method="put", status="422") == []
        assert await snapshot(refusals_db.engine) == before

    async def test_a_void_is_answered_200_in_the_shape_the_get_renders(self, sandbox_db, client):
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        declaration_id = case_id(Case.DECLARATION_ELIGIBLE)

        response = await client.put(f"{DECLARATIONS}/{declaration_id}/void", headers=bearer(token))

        assert response.status_code == 200
        assert VALIDATOR.errors(VOID, response.json(), method="put") == []
        shown = await client.get(f"{DECLARATIONS}/{declaration_id}", headers=bearer(token))
        assert shown.json() == response.json()
        attributes = response.json()["data"]["attributes"]
        assert (attributes["state"], attributes["statement_id"]) == ("voided", None)
        assert (await declaration_in_db(sandbox_db.engine, declaration_id))["state"] == "voided"

    async def test_another_providers_declaration_is_not_found(self, refusals_db, client):
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)
        response = await client.put(f"{DECLARATIONS}/{case_id(Case.DECLARATION_ELIGIBLE)}/void", headers=bearer(token))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        assert VALIDATOR.errors(VOID, response.json(), method="put", status="404") == []
        assert (await declaration_in_db(refusals_db.engine, case_id(Case.DECLARATION_ELIGIBLE)))["state"] == "eligible"

    async def test_a_malformed_id_is_not_found(self, refusals_db, client):
        token = await issue_token(refusals_db.engine, lead_provider=AMBITION)
        response = await client.put(f"{DECLARATIONS}/not-an-id/void", headers=bearer(token))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


class TestVoidingAnotherProvidersDeclaration:
    """Only the submitter may void: another provider gets the 404 of a missing record in every state, never a 422
    that would tell it the declaration exists and what state it is in, and nothing changes."""

    @pytest.mark.parametrize("state", VOIDABLE_ELSEWHERE)
    async def test_is_not_found_in_every_state_and_changes_nothing(self, refusals_db, client, state):
        declaration_id = case_id(DECLARATION_IN_STATE[DeclarationState(state)])
        assert (await declaration_in_db(refusals_db.engine, declaration_id))["state"] == state
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)
        before = await snapshot(refusals_db.engine)

        response = await client.put(f"{DECLARATIONS}/{declaration_id}/void", headers=bearer(token))

        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        assert await snapshot(refusals_db.engine) == before

    async def test_is_not_found_even_when_the_caller_may_read_it(self, refusals_db, client):
        declaration_id = await ambition_declaration_teach_first_reads(refusals_db.engine)
        token = await issue_token(refusals_db.engine, lead_provider=TEACH_FIRST)
        assert (await client.get(f"{DECLARATIONS}/{declaration_id}", headers=bearer(token))).status_code == 200
        before = await snapshot(refusals_db.engine)

        response = await client.put(f"{DECLARATIONS}/{declaration_id}/void", headers=bearer(token))

        assert (response.status_code, response.json()) == (404, NOT_FOUND)
        assert await snapshot(refusals_db.engine) == before
