"""The `leadProviders` and `me` root fields."""

from __future__ import annotations

from gateway.vocabulary import Role
from tests.graphql.support import run
from tests.support import bearer, issue_token

LEAD_PROVIDERS = """
query { leadProviders { id name createdAt updatedAt statements { id } } }
"""

ME = """
query { me { role leadProvider { id name } } }
"""


class TestLeadProviders:
    async def test_a_provider_sees_itself_and_its_own_output_fee_statements(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, lead_provider="Alpha Training"))
        result = await run(client, headers, LEAD_PROVIDERS)
        assert "errors" not in result
        [alpha] = result["data"]["leadProviders"]
        assert (alpha["id"], alpha["name"]) == (str(world.lead_providers["Alpha"]), "Alpha Training")
        assert [s["id"] for s in alpha["statements"]] == [
            str(world.statements["alpha_january"]),
            str(world.statements["alpha_april"]),
        ]

    async def test_an_analyst_sees_every_provider_by_name_with_all_their_statements(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, role=Role.ANALYST))
        result = await run(client, headers, LEAD_PROVIDERS)
        assert "errors" not in result
        providers = result["data"]["leadProviders"]
        assert [p["name"] for p in providers] == ["Alpha Training", "Beta Training", "Gamma Training"]
        assert [len(p["statements"]) for p in providers] == [3, 1, 0]


class TestMe:
    async def test_a_providers_token_is_that_provider(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, lead_provider="Beta Training"))
        result = await run(client, headers, ME)
        assert result == {
            "data": {
                "me": {
                    "role": "LEAD_PROVIDER",
                    "leadProvider": {"id": str(world.lead_providers["Beta"]), "name": "Beta Training"},
                }
            }
        }

    async def test_an_analysts_token_has_no_provider(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, role=Role.ANALYST))
        assert await run(client, headers, ME) == {"data": {"me": {"role": "ANALYST", "leadProvider": None}}}
