"""The `statements` and `statement` root fields and the Statement type's relations."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import LeadProvider
from gateway.vocabulary import Role
from tests.fixtures.declaration_world import World
from tests.graphql.support import node_ids, run
from tests.support import StatementCounter, bearer, issue_token

FIELDS = "id month year type cohort cutOffDate paymentDate paid status outputFee createdAt updatedAt"

STATEMENTS = f"""
query Statements(
    $first: Int, $after: String, $cohort: [String!], $type: [String!], $updatedSince: String, $leadProviderId: ID
) {{
    statements(first: $first, after: $after, cohort: $cohort, type: $type, updatedSince: $updatedSince, leadProviderId: $leadProviderId) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

STATEMENTS_WITH_RELATIONS = """
query StatementsWithRelations($first: Int!, $after: String) {
    statements(first: $first, after: $after) {
        edges { cursor node { id declarations { id deliveryPartner { id } } leadProvider { name } cohortDetails { year } } }
    }
}
"""

STATEMENT = """
query Statement($id: ID!) {
    statement(id: $id) {
        id month paid
        declarations { id state }
        leadProvider { name }
        cohortDetails { year }
    }
}
"""


async def alpha(world_engine) -> dict[str, str]:
    return bearer(await issue_token(world_engine, lead_provider="Alpha Training"))


def keys(w: World, *names: str) -> list[str]:
    return [str(w.statements[n]) for n in names]


class TestStatements:
    async def test_a_provider_gets_its_own_output_fee_statements_by_payment_date(self, world_db, world, client):
        result = await run(client, await alpha(world_db.db.engine), STATEMENTS)
        assert node_ids(result) == keys(world, "alpha_january", "alpha_april")
        assert result["data"]["statements"]["totalCount"] == 2

    async def test_every_v3_attribute_is_there_with_status_and_output_fee(self, world_db, world, client):
        result = await run(client, await alpha(world_db.db.engine), STATEMENTS)
        node = dict(result["data"]["statements"]["edges"][0]["node"])
        assert node.pop("createdAt").endswith("Z") and node.pop("updatedAt").endswith("Z")
        assert node == {
            "id": str(world.statements["alpha_january"]),
            "month": "January",
            "year": "2024",
            "type": "ecf",
            "cohort": "2023",
            "cutOffDate": "2023-12-31",
            "paymentDate": "2024-01-25",
            "paid": True,
            "status": "PAID",
            "outputFee": True,
        }

    async def test_the_ecf_type_keeps_every_statement_and_any_other_type_none(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        assert node_ids(await run(client, headers, STATEMENTS, type=["ecf"])) == keys(
            world, "alpha_january", "alpha_april"
        )
        other = await run(client, headers, STATEMENTS, type=["npq"])
        assert node_ids(other) == [] and other["data"]["statements"]["totalCount"] == 0

    async def test_cohort_and_updated_since_filter_as_on_the_rest_api(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        assert node_ids(await run(client, headers, STATEMENTS, cohort=["2022"])) == []
        assert node_ids(await run(client, headers, STATEMENTS, updatedSince="2999-01-01")) == []
        bad = await run(client, headers, STATEMENTS, updatedSince="soon")
        assert bad["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in bad["errors"]] == [
            ("The filter '#/updated_since' must be a valid ISO 8601 date", "BAD_USER_INPUT")
        ]

    async def test_pages_continue_after_the_cursor(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        first = await run(client, headers, STATEMENTS, first=1)
        rest = await run(
            client, headers, STATEMENTS, first=1, after=first["data"]["statements"]["pageInfo"]["endCursor"]
        )
        assert node_ids(first) + node_ids(rest) == keys(world, "alpha_january", "alpha_april")
        assert rest["data"]["statements"]["pageInfo"]["hasNextPage"] is False

    async def test_an_analyst_sees_every_statement_or_one_providers(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, role=Role.ANALYST))
        assert set(node_ids(await run(client, headers, STATEMENTS))) == {str(s) for s in world.statements.values()}
        beta = await run(client, headers, STATEMENTS, leadProviderId=str(world.lead_providers["Beta"]))
        assert node_ids(beta) == keys(world, "beta_january")


class TestStatement:
    async def test_a_statement_lists_the_declarations_paid_or_clawed_back_on_it(self, world_db, world, client):
        result = await run(client, await alpha(world_db.db.engine), STATEMENT, id=str(world.statements["alpha_april"]))
        assert "errors" not in result
        assert result["data"]["statement"] == {
            "id": str(world.statements["alpha_april"]),
            "month": "April",
            "paid": False,
            "declarations": [
                {"id": str(world.declarations["moved_out_retained_2"]), "state": "CLAWED_BACK"},
                {"id": str(world.declarations["moved_in_retained_3"]), "state": "ELIGIBLE"},
            ],
            "leadProvider": {"name": "Alpha Training"},
            "cohortDetails": {"year": 2023},
        }

    async def test_another_providers_statement_is_null_with_not_found(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        for key in (world.statements["beta_january"], world.statements["alpha_february"], uuid.uuid4()):
            result = await run(client, headers, STATEMENT, id=str(key))
            assert result["data"] == {"statement": None}
            assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]


class TestSameRecordsAsRest:
    async def test_graphql_and_rest_return_the_same_statements_for_each_provider(self, readonly_db, client):
        async with read_connection(readonly_db.engine) as conn:
            names = [n for (n,) in await conn.execute(select(LeadProvider.__table__.c.name))]
        for name in names:
            headers = bearer(await issue_token(readonly_db.engine, lead_provider=name))
            rest = await client.get("/api/v3/statements", params={"page[per_page]": 3000}, headers=headers)
            graph = await run(client, headers, STATEMENTS, first=3000)
            assert "errors" not in graph
            expected = [
                {
                    "id": item["id"],
                    "month": item["attributes"]["month"],
                    "year": item["attributes"]["year"],
                    "type": "ecf",  # GraphQL keeps the type, which the newer REST shape dropped
                    "cohort": item["attributes"]["cohort"],
                    "cutOffDate": item["attributes"]["cut_off_date"],
                    "paymentDate": item["attributes"]["payment_date"],
                    "paid": item["attributes"]["paid"],
                    "createdAt": item["attributes"]["created_at"],
                    "updatedAt": item["attributes"]["updated_at"],
                }
                for item in rest.json()["data"]
            ]
            got = [
                {k: v for k, v in edge["node"].items() if k not in ("status", "outputFee")}
                for edge in graph["data"]["statements"]["edges"]
            ]
            assert got == expected, name
            assert all(edge["node"]["outputFee"] for edge in graph["data"]["statements"]["edges"])


class TestStatementCount:
    async def test_a_page_of_statements_with_their_declarations_costs_the_same_statements_small_or_large(
        self, readonly_db, client
    ):
        headers = bearer(await issue_token(readonly_db.engine, role=Role.ANALYST))
        everything = await run(client, headers, STATEMENTS_WITH_RELATIONS, first=3000)
        edges = everything["data"]["statements"]["edges"]
        # Both pages start at the first statement holding declarations, so both reach every level of the query.
        first_with_declarations = next(i for i, edge in enumerate(edges) if edge["node"]["declarations"])
        after = edges[first_with_declarations - 1]["cursor"] if first_with_declarations else None
        counts = []
        for first in (2, 200):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, STATEMENTS_WITH_RELATIONS, first=first, after=after)
            assert "errors" not in result
            assert len(result["data"]["statements"]["edges"]) == first
            counts.append(counter.count)
        assert counts[0] == counts[1]
