"""The `partnerships` and `partnership` root fields, the Partnership type's relations, DeliveryPartner's `partnerships`,
and their SQL statement counts, over the sandbox."""

from __future__ import annotations

import uuid

import pytest

from gateway.db.engine import write_transaction
from gateway.db.tables import Partnership, School
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import (
    AMBITION,
    LEAD_PROVIDER_NAMES,
    TEACH_FIRST,
    cohort_id,
    delivery_partner_id,
)
from tests.graphql.support import headers_for, nodes, run
from tests.schools_in_database import (
    expected_partnerships,
    expected_schools,
    lead_provider_ids,
    participants_trained_under,
)
from tests.support import StatementCounter

FIELDS = """
    id cohort urn schoolId deliveryPartnerId deliveryPartnerName inductionTutorName inductionTutorEmail
    participantsCurrentlyTraining createdAt updatedAt
"""

PARTNERSHIPS = f"""
query Partnerships(
    $first: Int, $after: String, $cohort: [String!], $deliveryPartnerId: [ID!], $updatedSince: String,
    $leadProviderId: ID, $orderBy: PartnershipOrder! = CREATED_AT_ASC
) {{
    partnerships(
        first: $first, after: $after, cohort: $cohort, deliveryPartnerId: $deliveryPartnerId, updatedSince: $updatedSince,
        leadProviderId: $leadProviderId, orderBy: $orderBy
    ) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

PARTNERSHIP = f"""
query Partnership($id: ID!) {{
    partnership(id: $id) {{ {FIELDS} }}
}}
"""

PARTNERSHIP_RELATIONS = """
query Relations($first: Int!) {
    partnerships(first: $first) {
        edges {
            node {
                id schoolId cohort deliveryPartnerId
                school { id urn cohort inPartnership expressionOfInterest }
                deliveryPartner { id name }
                cohortDetails { id year }
                leadProvider { id name }
                participants { id }
            }
        }
    }
}
"""

PARTNERSHIP_PARTICIPANTS = """
query PartnershipParticipants {
    partnerships(first: 3000) { edges { node { id participantsCurrentlyTraining participants { id } } } }
}
"""

DELIVERY_PARTNER_PARTNERSHIPS = """
query DeliveryPartnerPartnerships {
    deliveryPartners(first: 3000) { edges { node { id partnerships { id deliveryPartnerId } } } }
}
"""


def as_graphql(id_: str, attributes: dict) -> dict:
    """A partnership's published attributes (newer shape) as the GraphQL type spells them."""
    return {
        "id": id_,
        "cohort": attributes["cohort"],
        "urn": attributes["urn"],
        "schoolId": attributes["school_id"],
        "deliveryPartnerId": attributes["delivery_partner_id"],
        "deliveryPartnerName": attributes["delivery_partner_name"],
        "inductionTutorName": attributes["induction_tutor_name"],
        "inductionTutorEmail": attributes["induction_tutor_email"],
        "participantsCurrentlyTraining": attributes["participants_currently_training"],
        "createdAt": attributes["created_at"],
        "updatedAt": attributes["updated_at"],
    }


async def _expected(db, lead_provider: str | None) -> dict[str, dict]:
    provider_id = None if lead_provider is None else (await lead_provider_ids(db.engine))[lead_provider]
    return await expected_partnerships(db.engine, provider_id)


async def _every_page(client, headers, *, between_pages=None, **variables) -> list[dict]:
    """Every node of the list, read two at a time; ``between_pages`` runs once, after the first page."""
    seen, after = [], None
    while True:
        result = await run(client, headers, PARTNERSHIPS, first=2, after=after, **variables)
        seen.extend(nodes(result))
        page_info = result["data"]["partnerships"]["pageInfo"]
        if not page_info["hasNextPage"]:
            return seen
        after = page_info["endCursor"]
        if between_pages is not None:
            await between_pages()
            between_pages = None


class TestPartnerships:
    @pytest.mark.parametrize("lead_provider", [*LEAD_PROVIDER_NAMES, None])
    async def test_lists_exactly_what_the_database_holds_for_each_caller(self, readonly_db, client, lead_provider):
        result = await run(client, await headers_for(readonly_db, lead_provider), PARTNERSHIPS, first=3000)

        expected = await _expected(readonly_db, lead_provider)
        assert len(nodes(result)) == len(expected)
        assert {n["id"]: n for n in nodes(result)} == {id_: as_graphql(id_, a) for id_, a in expected.items()}
        assert result["data"]["partnerships"]["totalCount"] == len(expected)

    async def test_an_analyst_naming_a_provider_sees_that_providers_partnerships(self, readonly_db, client):
        provider_id = (await lead_provider_ids(readonly_db.engine))[TEACH_FIRST]
        result = await run(
            client, await headers_for(readonly_db, None), PARTNERSHIPS, first=3000, leadProviderId=str(provider_id)
        )
        assert {n["id"] for n in nodes(result)} == set(await _expected(readonly_db, TEACH_FIRST))

    async def test_returns_the_same_records_as_the_rest_api_for_the_same_filters(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        expected = await _expected(readonly_db, AMBITION)
        partner = sorted({a["delivery_partner_id"] for a in expected.values()})[0]
        since = sorted(a["updated_at"] for a in expected.values())[len(expected) // 2]
        for rest_params, graphql_variables in (
            ({}, {}),
            ({"filter[cohort]": "2023,2025"}, {"cohort": ["2023", "2025"]}),
            ({"filter[delivery_partner_id]": partner}, {"deliveryPartnerId": [partner]}),
            ({"filter[updated_since]": since}, {"updatedSince": since}),
            ({"sort": "-updated_at"}, {"orderBy": "UPDATED_AT_DESC"}),
            ({"sort": "-created_at"}, {"orderBy": "CREATED_AT_DESC"}),
        ):
            response = await client.get(
                "/api/v3/partnerships", params={**rest_params, "page[per_page]": "3000"}, headers=headers
            )
            rest = response.json()["data"]
            graph = nodes(await run(client, headers, PARTNERSHIPS, first=3000, **graphql_variables))
            assert rest, rest_params
            assert graph == [as_graphql(item["id"], item["attributes"]) for item in rest]

    async def test_filters_that_match_nothing_give_an_empty_connection(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        for variables in (
            {"cohort": ["abc"]},
            {"deliveryPartnerId": [str(uuid.uuid4()), "junk"]},
            {"cohort": ["2030"]},
        ):
            result = await run(client, headers, PARTNERSHIPS, **variables)
            assert nodes(result) == []
            assert result["data"]["partnerships"]["totalCount"] == 0


class TestPartnershipsPaging:
    @pytest.mark.parametrize("order", ["CREATED_AT_ASC", "UPDATED_AT_DESC"])
    async def test_pages_of_two_return_every_partnership_exactly_once(self, readonly_db, client, order):
        headers = await headers_for(readonly_db, AMBITION)
        every = nodes(await run(client, headers, PARTNERSHIPS, first=3000, orderBy=order))

        paged = await _every_page(client, headers, orderBy=order)

        assert [n["id"] for n in paged] == [n["id"] for n in every]

    async def test_a_partnership_created_between_pages_neither_repeats_nor_hides_another(self, sandbox_db, client):
        headers = await headers_for(sandbox_db, AMBITION)
        before = [n["id"] for n in nodes(await run(client, headers, PARTNERSHIPS, first=3000))]
        ambition = (await lead_provider_ids(sandbox_db.engine))[AMBITION]
        new_partnership = uuid.uuid4()

        async def create_one() -> None:
            async with write_transaction(sandbox_db.engine) as conn:
                school = uuid.uuid4()
                await conn.execute(School.__table__.insert().values(id=school, urn="999999", name="New School"))
                await conn.execute(
                    Partnership.__table__.insert().values(
                        id=new_partnership,
                        school_id=school,
                        lead_provider_id=ambition,
                        delivery_partner_id=delivery_partner_id("Midlands Inspire Teaching Hub"),
                        cohort_id=cohort_id(2025),
                    )
                )

        paged = [n["id"] for n in await _every_page(client, headers, between_pages=create_one)]

        assert len(paged) == len(set(paged))
        assert paged == [*before, str(new_partnership)]


class TestPartnership:
    async def test_reads_one_of_the_providers_own(self, readonly_db, client):
        (id_, attributes), *_ = (await _expected(readonly_db, TEACH_FIRST)).items()
        result = await run(client, await headers_for(readonly_db, TEACH_FIRST), PARTNERSHIP, id=id_)
        assert "errors" not in result
        assert result["data"]["partnership"] == as_graphql(id_, attributes)

    async def test_another_providers_partnership_is_null_with_not_found_like_a_missing_one(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        others = list(await _expected(readonly_db, TEACH_FIRST))[:3]
        for id_ in (*others, str(uuid.uuid4()), "junk"):
            result = await run(client, headers, PARTNERSHIP, id=id_)
            assert result["data"] == {"partnership": None}
            assert [(e["extensions"]["code"], e["path"]) for e in result["errors"]] == [("NOT_FOUND", ["partnership"])]

    async def test_an_analyst_reads_any_providers_partnership(self, readonly_db, client):
        (id_, attributes), *_ = (await _expected(readonly_db, TEACH_FIRST)).items()
        result = await run(client, await headers_for(readonly_db, None), PARTNERSHIP, id=id_)
        assert result["data"]["partnership"] == as_graphql(id_, attributes)


class TestPartnershipRelations:
    @pytest.mark.parametrize("lead_provider", [AMBITION, TEACH_FIRST])
    async def test_every_partnership_reaches_its_school_in_its_cohort_its_delivery_partner_and_cohort(
        self, readonly_db, client, lead_provider
    ):
        provider_id = (await lead_provider_ids(readonly_db.engine))[lead_provider]
        result = await run(client, await headers_for(readonly_db, lead_provider), PARTNERSHIP_RELATIONS, first=3000)
        schools = {year: await expected_schools(readonly_db.engine, year, provider_id) for year in range(2021, 2027)}

        for node in nodes(result):
            school = schools[int(node["cohort"])][node["schoolId"]]
            assert node["school"] == {
                "id": node["schoolId"],
                "urn": school["urn"],
                "cohort": node["cohort"],
                "inPartnership": True,
                # The provider partners the school in this cohort, so its interest stays true.
                "expressionOfInterest": True,
            }
            assert node["deliveryPartner"]["id"] == node["deliveryPartnerId"]
            assert node["cohortDetails"] == {"id": str(cohort_id(int(node["cohort"]))), "year": int(node["cohort"])}
            assert node["leadProvider"] == {"id": str(provider_id), "name": lead_provider}

    async def test_the_delivery_partner_of_two_providers_lists_each_providers_own_partnerships(
        self, readonly_db, client
    ):
        shared = str(case_id(Case.DELIVERY_PARTNER_OF_TWO_PROVIDERS))
        for lead_provider in (AMBITION, TEACH_FIRST, None):
            result = await run(client, await headers_for(readonly_db, lead_provider), DELIVERY_PARTNER_PARTNERSHIPS)
            assert "errors" not in result, result
            shown = {
                edge["node"]["id"]: [p["id"] for p in edge["node"]["partnerships"]]
                for edge in result["data"]["deliveryPartners"]["edges"]
            }
            expected = await _expected(readonly_db, lead_provider)
            for partner, partnership_ids in shown.items():
                assert sorted(partnership_ids) == sorted(
                    id_ for id_, a in expected.items() if a["delivery_partner_id"] == partner
                )
            if lead_provider is not None:
                assert shown[shared], lead_provider

    @pytest.mark.parametrize("lead_provider", [AMBITION, TEACH_FIRST])
    async def test_every_partnership_lists_the_participants_trained_under_it(self, readonly_db, client, lead_provider):
        result = await run(client, await headers_for(readonly_db, lead_provider), PARTNERSHIP_PARTICIPANTS)
        trained = await participants_trained_under(readonly_db.engine)

        shown = {n["id"]: sorted(p["id"] for p in n["participants"]) for n in nodes(result)}

        assert shown == {id_: sorted(trained.get(id_, ())) for id_ in shown}
        assert any(shown.values())


class TestStatementCounts:
    async def test_a_page_of_partnerships_with_its_relations_costs_the_same_statements_small_or_large(
        self, readonly_db, client
    ):
        headers = await headers_for(readonly_db, None)
        await run(
            client, headers, PARTNERSHIP_RELATIONS, first=1
        )  # warm up: authentication caches, prepared statements

        counts = {}
        for first in (2, 500):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, PARTNERSHIP_RELATIONS, first=first)
            assert len(nodes(result)) == min(first, len(await _expected(readonly_db, None)))
            counts[first] = counter.count
        assert len(nodes(result)) > 100
        assert counts[2] == counts[500]

    async def test_schools_with_their_partnerships_cost_the_same_statements_small_or_large(self, readonly_db, client):
        query = 'query($first: Int) { schools(cohort: "2024", first: $first) { edges { node { id partnerships { id school { id } deliveryPartner { id } } } } } }'
        headers = await headers_for(readonly_db, AMBITION)
        counts = {}
        for first in (2, 500):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, query, first=first)
            assert "errors" not in result, result
            counts[first] = counter.count
        assert counts[2] == counts[500]
