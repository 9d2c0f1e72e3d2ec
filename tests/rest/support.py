"""Helpers shared by the REST tests: the published error bodies, a caller's headers, reading a whole list."""

from __future__ import annotations

from gateway.vocabulary import Role
from tests.support import bearer, issue_token

ACCESS_DENIED = {"error": "HTTP Token: Access denied"}
NOT_FOUND = {
    "errors": [
        {"title": "The requested resource was not found", "detail": "Nothing could be found for the provided details"}
    ]
}
BAD_BODY = {
    "errors": [{"title": "Bad request", "detail": "correct json data structure required. See API docs for reference"}]
}
BAD_PAGE = {
    "errors": [
        {
            "title": "Bad parameter",
            "detail": "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid positive number",
        }
    ]
}
BAD_UPDATED_SINCE = {
    "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
}
FILTER_NOT_A_HASH = {"errors": [{"title": "Bad parameter", "detail": "Filter must be a hash"}]}
MAX_PAGE = 3000  # the largest page[per_page] served


async def headers_for(db, lead_provider: str | None, *, server_date: str | None = None) -> dict[str, str]:
    """A bearer token of the named lead provider, or of an analyst when none is named; ``server_date`` travels in time."""
    if lead_provider is None:
        token = await issue_token(db.engine, role=Role.ANALYST)
    else:
        token = await issue_token(db.engine, lead_provider=lead_provider)
    return {**bearer(token), **({"X-With-Server-Date": server_date} if server_date else {})}


async def list_all(client, path: str, headers: dict[str, str], **params) -> list[dict]:
    """The items of a list on one page of the largest size (later ``params`` win), once it answered 200."""
    response = await client.get(path, params={"page[per_page]": str(MAX_PAGE), **params}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["data"]
