"""`gateway serve` on a new database, as the README has a newcomer run it: the tokens it prints work at once.

A real process: the command prepares the database in one event loop and serves in uvicorn's, and
connections opened in the first must not be used in the second (on PostgreSQL they were: the first
requests answered 500).
"""

from __future__ import annotations

import httpx

from tests.fixtures.served_gateway import served_sandbox


async def test_a_new_database_is_served_with_tokens_that_work(databases, tmp_path):
    db = await databases.create()  # empty: not migrated, not seeded
    await db.engine.dispose()
    async with served_sandbox(db.url, tmp_path) as served, httpx.AsyncClient(base_url=served.url, timeout=10) as http:
        headers = {"Authorization": f"Bearer {served.tokens['lead provider Ambition Institute']}"}
        rest = [await http.get("/api/v3/delivery-partners", headers=headers) for _ in range(3)]
        graphql = await http.post("/graphql", json={"query": "{ me { leadProvider { name } } }"}, headers=headers)

    assert [response.status_code for response in rest] == [200, 200, 200]
    assert graphql.json() == {"data": {"me": {"leadProvider": {"name": "Ambition Institute"}}}}
