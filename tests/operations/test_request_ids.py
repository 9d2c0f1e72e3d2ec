"""Request ids: kept from a well-formed X-Request-Id or made new, echoed on every response, quoted in 500s."""

from __future__ import annotations

import re

import pytest

from gateway.domain import cohorts
from gateway.vocabulary import Role
from tests.operations.support import FAILING_PATH, app_with_a_failing_route, captured_logs, client_of
from tests.support import bearer, issue_token

NEW_ID = re.compile(r"[0-9a-f]{32}")


class TestEchoedOnEveryResponse:
    @pytest.mark.parametrize("path", ["/healthz", "/api/v3/delivery-partners", "/graphql", "/no-such-page", "/metrics"])
    async def test_a_well_formed_incoming_id_is_echoed_whatever_the_answer(self, readonly_db, client, path):
        response = await client.get(path, headers={"X-Request-Id": "lb-7f3a.2:retry_1"})
        assert response.headers["x-request-id"] == "lb-7f3a.2:retry_1"

    async def test_without_an_incoming_id_each_response_gets_a_new_one(self, readonly_db, client):
        first, second = [(await client.get("/healthz")).headers["x-request-id"] for _ in range(2)]
        assert NEW_ID.fullmatch(first) and NEW_ID.fullmatch(second)
        assert first != second

    @pytest.mark.parametrize(
        "incoming", ["", "has space", "new\nline", "x" * 129, "-starts-with-a-hyphen", 'quote"d', "é"]
    )
    async def test_a_malformed_incoming_id_is_replaced_not_echoed(self, readonly_db, client, incoming):
        response = await client.get("/healthz", headers={"X-Request-Id": incoming.encode("utf-8")})
        assert NEW_ID.fullmatch(response.headers["x-request-id"])

    async def test_a_throttled_or_refused_request_still_carries_its_id(self, readonly_db, client):
        response = await client.get("/api/v3/delivery-partners", headers={"X-Request-Id": "refused-1"})
        assert response.status_code == 401
        assert response.headers["x-request-id"] == "refused-1"


class TestInErrorBodies:
    async def test_a_500_quotes_the_same_id_in_its_body_header_and_log_lines(self, readonly_db):
        async with client_of(app_with_a_failing_route()) as http:
            with captured_logs() as logs:
                response = await http.get(FAILING_PATH, headers={"X-Request-Id": "incident-42"})
        assert response.status_code == 500
        assert response.headers["x-request-id"] == "incident-42"
        assert "Quote request id incident-42" in response.json()["errors"][0]["detail"]
        assert "SELECT" not in response.text
        lines = logs.parsed()
        assert [line["message"] for line in lines if line.get("request_id") == "incident-42"] == [
            "about to fail",
            f"GET {FAILING_PATH} 500",
            "unhandled error (request incident-42)",
        ]
        assert all(line.get("request_id") == "incident-42" for line in lines if line["logger"].startswith("gateway"))

    async def test_an_internal_graphql_error_quotes_the_id_the_response_carries(self, readonly_db, client, monkeypatch):
        async def broken(*_args, **_kwargs):
            raise RuntimeError("boom")

        monkeypatch.setattr(cohorts, "list_cohorts", broken)
        token = await issue_token(readonly_db.engine, role=Role.ANALYST)
        with captured_logs() as logs:
            response = await client.post(
                "/graphql", json={"query": "{ cohorts { year } }"}, headers={**bearer(token), "X-Request-Id": "gql-1"}
            )
        assert response.headers["x-request-id"] == "gql-1"
        assert (
            response.json()["errors"][0]["message"]
            == "Internal server error. Quote request id gql-1 if you contact us."
        )
        logged = [line for line in logs.parsed() if line["logger"] == "gateway.graphql"]
        assert logged and all(line["request_id"] == "gql-1" for line in logged)
