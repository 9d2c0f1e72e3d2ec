"""Malformed GraphQL requests: each a 4xx with a GraphQL error body, never a 500; GraphQL over HTTP's media types."""

from __future__ import annotations

import pytest

from tests.graphql.support import headers_for

GRAPHQL_RESPONSE = "application/graphql-response+json"


def _error(message: str, code: str = "BAD_USER_INPUT") -> dict:
    return {"errors": [{"message": message, "extensions": {"code": code}}]}


MALFORMED = [
    # (name, body bytes, content type, status, body)
    ("null", b"null", "application/json", 400, _error("The request body must be a JSON object")),
    ("a string", b'"x"', "application/json", 400, _error("The request body must be a JSON object")),
    ("a number", b"1", "application/json", 400, _error("The request body must be a JSON object")),
    ("a batch", b'[{"query": "{ me { role } }"}]', "application/json", 400, _error("Batching is not enabled")),
    ("invalid UTF-8", b'{"query": "\xff\xfe"}', "application/json", 400, _error("The request body is not UTF-8")),
    ("not JSON", b"{not json", "application/json", 400, _error("Unable to parse request body as JSON")),
    (
        "JSON nested 10,000 deep",
        b'{"query": "{ me { role } }", "variables": {"a": ' + b"[" * 10_000 + b"]" * 10_000 + b"}}",
        "application/json",
        400,
        _error("The request's JSON is nested deeper than 32 levels"),
    ),
    (
        "JSON nested 40 deep",
        b'{"query": "{ me { role } }", "variables": {"a": ' + b"[" * 40 + b"]" * 40 + b"}}",
        "application/json",
        400,
        _error("The request's JSON is nested deeper than 32 levels"),
    ),
    ("an empty body", b"", "application/json", 400, _error("The request has no body: send a JSON object with a query")),
    ("no query", b'{"variables": {}}', "application/json", 400, _error("No GraphQL query found in the request")),
    ("a query that is a number", b'{"query": 1}', "application/json", 400, _error("The query must be a string")),
    (
        "an operationName that is an object",
        b'{"query": "{ me { role } }", "operationName": {"a": 1}}',
        "application/json",
        400,
        _error("The operationName must be a string"),
    ),
    (
        "an operationName that is an array",
        b'{"query": "{ me { role } }", "operationName": ["a"]}',
        "application/json",
        400,
        _error("The operationName must be a string"),
    ),
    (
        "variables that are a string",
        b'{"query": "{ me { role } }", "variables": "x"}',
        "application/json",
        400,
        _error("The variables must be a JSON object"),
    ),
    (
        "extensions that are an array",
        b'{"query": "{ me { role } }", "extensions": []}',
        "application/json",
        400,
        _error("The extensions must be a JSON object"),
    ),
    ("another content type", b"query=x", "text/plain", 400, _error("Unsupported content type")),
    ("no content type", b'{"query": "{ me { role } }"}', None, 400, _error("Unsupported content type")),
]


@pytest.fixture
async def provider(readonly_db) -> dict[str, str]:
    return await headers_for(readonly_db, "Ambition Institute")


class TestMalformedRequests:
    @pytest.mark.parametrize(
        ("name", "content", "content_type", "status", "body"), MALFORMED, ids=[m[0] for m in MALFORMED]
    )
    @pytest.mark.parametrize("accept", ["application/json", GRAPHQL_RESPONSE])
    async def test_is_a_4xx_with_a_graphql_error_and_no_data(
        self, readonly_db, client, provider, name, content, content_type, status, body, accept
    ):
        headers = {**provider, "Accept": accept}
        if content_type:
            headers["Content-Type"] = content_type

        response = await client.post("/graphql", content=content, headers=headers)

        assert response.status_code == status
        assert response.headers["content-type"].startswith(accept)
        assert response.json() == body

    async def test_a_body_over_the_limit_is_a_413_without_reading_it_all(self, readonly_db, client, provider):
        response = await client.post(
            "/graphql",
            content=b'{"query": "' + b" " * 2_000_000 + b'"}',
            headers={**provider, "Content-Type": "application/json"},
        )

        assert response.status_code == 413
        assert response.json() == {
            "errors": [
                {
                    "message": "The request body is over the limit of 1000000 bytes",
                    "extensions": {"code": "REQUEST_TOO_LARGE", "limit": "body bytes", "maximum": 1000000},
                }
            ]
        }

    async def test_a_mutation_over_get_is_a_405_that_allows_post(self, readonly_db, client, provider):
        response = await client.get(
            "/graphql",
            params={"query": 'mutation { voidDeclaration(id: "x") { errors { message } } }'},
            headers=provider,
        )

        assert response.status_code == 405
        assert response.headers["allow"] == "POST"
        assert response.json() == _error("Mutations are not allowed over GET: use POST")

    async def test_get_variables_that_are_not_json_are_a_400(self, readonly_db, client, provider):
        response = await client.get(
            "/graphql", params={"query": "{ me { role } }", "variables": "{x"}, headers=provider
        )

        assert response.status_code == 400
        assert response.json() == _error("The variables parameter is not JSON")


class TestMediaTypes:
    @pytest.mark.parametrize(
        ("accept", "answered"),
        [
            (None, "application/json"),
            ("*/*", "application/json"),
            ("application/json", "application/json"),
            (GRAPHQL_RESPONSE, GRAPHQL_RESPONSE),
            (f"application/json;q=0.5, {GRAPHQL_RESPONSE}", GRAPHQL_RESPONSE),
            (f"{GRAPHQL_RESPONSE};q=0.1, application/json", "application/json"),
        ],
    )
    async def test_a_query_is_answered_in_the_accepted_media_type(
        self, readonly_db, client, provider, accept, answered
    ):
        headers = dict(provider) if accept is None else {**provider, "Accept": accept}

        response = await client.post("/graphql", json={"query": "{ me { role } }"}, headers=headers)

        assert response.status_code == 200
        assert response.headers["content-type"].startswith(answered)
        assert response.json() == {"data": {"me": {"role": "LEAD_PROVIDER"}}}

    @pytest.mark.parametrize(
        ("query", "variables"),
        [
            ("{", None),  # does not parse
            ("{ nope }", None),  # does not validate
            ("query($id: ID!) { participant(id: $id) { id } }", {"id": None}),  # variables do not coerce
        ],
        ids=["parse", "validation", "coercion"],
    )
    async def test_a_request_error_is_400_under_graphql_response_json_and_200_under_json(
        self, readonly_db, client, provider, query, variables
    ):
        body = {"query": query, "variables": variables}
        newer = await client.post("/graphql", json=body, headers={**provider, "Accept": GRAPHQL_RESPONSE})
        legacy = await client.post("/graphql", json=body, headers={**provider, "Accept": "application/json"})

        assert (newer.status_code, legacy.status_code) == (400, 200)
        assert newer.json() == legacy.json()
        assert "data" not in newer.json()
        assert newer.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    async def test_a_field_error_still_answers_200_with_its_data(self, readonly_db, client, provider):
        response = await client.post(
            "/graphql",
            json={"query": '{ participant(id: "00000000-0000-0000-0000-000000000000") { id } }'},
            headers={**provider, "Accept": GRAPHQL_RESPONSE},
        )

        assert response.status_code == 200
        assert response.json()["data"] == {"participant": None}
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
