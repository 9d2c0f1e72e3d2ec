"""The app's edges: probes, authentication, JSON errors, time travel."""

from __future__ import annotations

import pytest

from gateway.db.engine import build_engine, set_engine
from gateway.vocabulary import Role
from tests.rest.support import ACCESS_DENIED, NOT_FOUND
from tests.support import bearer, issue_token


class TestProbes:
    async def test_healthz_answers_while_the_process_is_up(self, empty_db, client):
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}

    async def test_readyz_answers_200_when_the_database_is_reachable(self, empty_db, client):
        response = await client.get("/readyz")
        assert response.status_code == 200

    async def test_readyz_answers_503_with_a_reason_when_the_database_is_unreachable(self, client):
        unreachable = build_engine("postgresql+asyncpg://nobody@127.0.0.1:9/nowhere")
        set_engine(unreachable)
        try:
            response = await client.get("/readyz")
        finally:
            set_engine(None)
            await unreachable.dispose()
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["status"] == "unavailable"
        assert "database unreachable" in response.json()["reason"]


class TestAuthentication:
    @pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"}, {"Authorization": "Basic abc"}])
    async def test_an_api_path_without_a_valid_token_answers_the_published_401(self, readonly_db, client, headers):
        response = await client.get("/api/v3/delivery-partners", headers=headers)
        assert response.status_code == 401
        assert response.json() == ACCESS_DENIED

    async def test_an_unknown_api_path_without_a_token_is_401_not_404(self, readonly_db, client):
        response = await client.get("/api/v3/no-such-thing")
        assert response.status_code == 401
        assert response.json() == ACCESS_DENIED

    async def test_graphql_without_a_token_is_an_unauthenticated_error_with_http_401(self, readonly_db, client):
        response = await client.post("/graphql", json={"query": "{ cohorts { year } }"})
        assert response.status_code == 401
        assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        assert response.json()["data"] is None

    async def test_a_valid_token_is_accepted_on_both_faces(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        rest = await client.get("/api/v3/delivery-partners", headers=bearer(token))
        graph = await client.post("/graphql", json={"query": "{ cohorts { year } }"}, headers=bearer(token))
        assert rest.status_code == 200
        assert graph.status_code == 200
        assert [c["year"] for c in graph.json()["data"]["cohorts"]] == [2021, 2022, 2023, 2024, 2025, 2026]

    async def test_the_graphiql_page_opens_in_a_browser_without_a_token(self, readonly_db, client):
        response = await client.get("/graphql", headers={"Accept": "text/html"})
        assert response.status_code == 200
        assert "graphiql" in response.text.lower()


class TestGraphQLRequestErrors:
    """Requests Strawberry refuses before running them answer in GraphQL's JSON, not plain text."""

    @pytest.mark.parametrize(
        ("content", "content_type", "message"),
        [
            (b"{not json", "application/json", "Unable to parse request body as JSON"),
            (b"[]", "application/json", "Batching is not enabled"),
            (b"query=x", "text/plain", "Unsupported content type"),
            (b'{"variables": {}}', "application/json", "No GraphQL query found in the request"),
        ],
        ids=["malformed JSON", "a batch", "another content type", "no query"],
    )
    async def test_is_a_400_with_a_graphql_error(self, readonly_db, client, content, content_type, message):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        headers = {**bearer(token), "Content-Type": content_type}

        response = await client.post("/graphql", content=content, headers=headers)

        assert response.status_code == 400
        assert response.headers["content-type"].startswith("application/json")
        assert response.json() == {"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]}


class TestJsonErrors:
    async def test_an_unknown_path_is_a_json_404(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.get("/api/v3/no-such-thing", headers=bearer(token))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_a_wrong_method_is_a_json_405(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.delete("/api/v3/delivery-partners", headers=bearer(token))
        assert response.status_code == 405
        assert response.headers["content-type"].startswith("application/json")
        assert response.json()["errors"][0]["title"] == "Method not allowed"

    async def test_a_405_allows_every_method_of_the_path_not_only_the_first_routes(self, readonly_db, client):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.delete("/api/v3/participant-declarations", headers=bearer(token))
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, POST"


class TestTimeTravel:
    async def test_a_malformed_server_date_header_is_a_400_not_a_silent_now(self, readonly_db, client):
        response = await client.get("/healthz", headers={"X-With-Server-Date": "next tuesday"})
        assert response.status_code == 400
        assert response.json()["errors"][0]["title"] == "Bad request"

    @pytest.mark.parametrize("moment", ["9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59"])
    async def test_a_server_date_whose_offset_leaves_the_calendar_is_a_400_not_a_500(self, readonly_db, client, moment):
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        response = await client.get("/api/v3/statements", headers={**bearer(token), "X-With-Server-Date": moment})
        assert response.status_code == 400
        assert response.json()["errors"][0]["title"] == "Bad request"
