"""Helpers shared by the GraphQL tests: a caller's headers, posting a query, reading a connection's nodes."""

from __future__ import annotations

from gateway.vocabulary import Role
from tests.support import bearer, issue_token


async def headers_for(db, lead_provider: str | None) -> dict[str, str]:
    """A bearer token of the named lead provider, or of an analyst when none is named."""
    if lead_provider is None:
        return bearer(await issue_token(db.engine, role=Role.ANALYST))
    return bearer(await issue_token(db.engine, lead_provider=lead_provider))


async def run(client, headers: dict[str, str], query: str, **variables) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    return response.json()


def nodes(result: dict) -> list[dict]:
    """The nodes of the query's one root connection, once the answer is known to carry no errors."""
    assert "errors" not in result, result
    (connection,) = result["data"].values()
    return [edge["node"] for edge in connection["edges"]]


def node_ids(result: dict) -> list[str]:
    return [node["id"] for node in nodes(result)]
