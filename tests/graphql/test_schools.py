"""The `schools` and `school` root fields and the School type's `partnerships`, over the sandbox."""

from __future__ import annotations

import uuid

import pytest

from gateway.db.engine import write_transaction
from gateway.db.tables import School, SchoolCohort
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import (
    AMBITION,
    BEST_PRACTICE_NETWORK,
    LEAD_PROVIDER_NAMES,
    TEACH_FIRST,
    cohort_id,
)
from tests.graphql.support import headers_for, nodes, run
from tests.schools_in_database import (
    expected_partnerships,
    expected_schools,
    lead_provider_ids,
)

FIELDS = """
    id name urn cohort inPartnership inductionProgrammeChoice expressionOfInterest
    inductionTutorName inductionTutorEmail createdAt updatedAt
"""

SCHOOLS = f"""
query Schools(
    $cohort: String!, $urn: String, $updatedSince: String, $first: Int, $after: String,
    $orderBy: SchoolOrder! = CREATED_AT_ASC, $leadProviderId: ID
) {{
    schools(
        cohort: $cohort, urn: $urn, updatedSince: $updatedSince, first: $first, after: $after,
        orderBy: $orderBy, leadProviderId: $leadProviderId
    ) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ cursor node {{ {FIELDS} }} }}
    }}
}}
"""

SCHOOL = f"""
query School($id: ID!, $cohort: String!, $leadProviderId: ID) {{
    school(id: $id, cohort: $cohort, leadProviderId: $leadProviderId) {{ {FIELDS} }}
}}
"""

SCHOOL_PARTNERSHIPS = """
query SchoolPartnerships($id: ID!, $cohort: String!) {
    school(id: $id, cohort: $cohort) { id inPartnership partnerships { id schoolId cohort deliveryPartnerId } }
}
"""

SCHOOLS_WITH_PARTNERSHIPS = """
query SchoolsWithPartnerships($cohort: String!, $first: Int) {
    schools(cohort: $cohort, first: $first) { edges { node { id partnerships { id } } } }
}
"""


def as_graphql(id_: str, attributes: dict) -> dict:
    """A school's published attributes as the GraphQL type spells them."""
    return {
        "id": id_,
        "name": attributes["name"],
        "urn": attributes["urn"],
        "cohort": attributes["cohort"],
        "inPartnership": attributes["in_partnership"],
        "inductionProgrammeChoice": attributes["induction_programme_choice"].upper(),
        "expressionOfInterest": attributes["expression_of_interest"],
        "inductionTutorName": attributes["induction_tutor_name"],
        "inductionTutorEmail": attributes["induction_tutor_email"],
        "createdAt": attributes["created_at"],
        "updatedAt": attributes["updated_at"],
    }


async def _every_page(client, headers, *, between_pages=None, **variables) -> list[dict]:
    """Every node of the list, read two at a time; ``between_pages`` runs once, after the first page."""
    seen, after = [], None
    while True:
        result = await run(client, headers, SCHOOLS, first=2, after=after, **variables)
        seen.extend(nodes(result))
        page_info = result["data"]["schools"]["pageInfo"]
        if not page_info["hasNextPage"]:
            return seen
        after = page_info["endCursor"]
        if between_pages is not None:
            await between_pages()
            between_pages = None


class TestSchools:
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_what_the_database_holds_for_each_provider(self, readonly_db, client, lead_provider):
        provider_id = (await lead_provider_ids(readonly_db.engine))[lead_provider]
        for year in (2024, 2025):
            result = await run(
                client, await headers_for(readonly_db, lead_provider), SCHOOLS, cohort=str(year), first=3000
            )

            expected = await expected_schools(readonly_db.engine, year, provider_id)
            assert nodes(result) and len(nodes(result)) == len(expected)
            assert {n["id"]: n for n in nodes(result)} == {id_: as_graphql(id_, a) for id_, a in expected.items()}
            assert result["data"]["schools"]["totalCount"] == len(expected)

    async def test_an_analyst_sees_interest_in_any_provider_or_in_the_one_named(self, readonly_db, client):
        headers = await headers_for(readonly_db, None)
        provider_id = (await lead_provider_ids(readonly_db.engine))[BEST_PRACTICE_NETWORK]

        anyone = await run(client, headers, SCHOOLS, cohort="2025", first=3000)
        named = await run(client, headers, SCHOOLS, cohort="2025", first=3000, leadProviderId=str(provider_id))

        assert {n["id"]: n for n in nodes(anyone)} == {
            id_: as_graphql(id_, a) for id_, a in (await expected_schools(readonly_db.engine, 2025, None)).items()
        }
        assert {n["id"]: n for n in nodes(named)} == {
            id_: as_graphql(id_, a)
            for id_, a in (await expected_schools(readonly_db.engine, 2025, provider_id)).items()
        }

    async def test_an_unknown_cohort_is_an_empty_list(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), SCHOOLS, cohort="2030")
        assert nodes(result) == []
        assert result["data"]["schools"]["totalCount"] == 0

    async def test_returns_the_same_records_as_the_rest_api_for_the_same_filters(self, readonly_db, client):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        rest_every = (
            await client.get(
                "/api/v3/schools", params={"filter[cohort]": "2024", "page[per_page]": "3000"}, headers=headers
            )
        ).json()["data"]
        since = sorted(item["attributes"]["updated_at"] for item in rest_every)[len(rest_every) // 2]
        for rest_params, graphql_variables in (
            ({"filter[cohort]": "2024"}, {"cohort": "2024"}),
            ({"filter[cohort]": "2024", "filter[urn]": "100004"}, {"cohort": "2024", "urn": "100004"}),
            ({"filter[cohort]": "2024", "filter[updated_since]": since}, {"cohort": "2024", "updatedSince": since}),
            ({"filter[cohort]": "2024", "sort": "-updated_at"}, {"cohort": "2024", "orderBy": "UPDATED_AT_DESC"}),
        ):
            rest = (
                await client.get("/api/v3/schools", params={**rest_params, "page[per_page]": "3000"}, headers=headers)
            ).json()["data"]
            graph = nodes(await run(client, headers, SCHOOLS, first=3000, **graphql_variables))
            assert rest, rest_params
            assert [n["id"] for n in graph] == [item["id"] for item in rest]
            assert graph == [as_graphql(item["id"], item["attributes"]) for item in rest]

    async def test_an_invalid_updated_since_is_a_bad_user_input_error_with_the_published_text(
        self, readonly_db, client
    ):
        result = await run(
            client, await headers_for(readonly_db, AMBITION), SCHOOLS, cohort="2025", updatedSince="soon"
        )
        assert result["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in result["errors"]] == [
            ("The filter '#/updated_since' must be a valid ISO 8601 date", "BAD_USER_INPUT")
        ]

    async def test_the_cohort_argument_is_required(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), "{ schools { totalCount } }")
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert "cohort" in result["errors"][0]["message"]


class TestSchoolsPaging:
    async def test_pages_of_two_return_every_school_exactly_once(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        every = nodes(await run(client, headers, SCHOOLS, cohort="2025", first=3000))

        paged = await _every_page(client, headers, cohort="2025")

        assert [n["id"] for n in paged] == [n["id"] for n in every]

    async def test_pages_by_updated_at_descending_return_every_school_exactly_once(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        every = nodes(await run(client, headers, SCHOOLS, cohort="2024", first=3000, orderBy="UPDATED_AT_DESC"))

        paged = await _every_page(client, headers, cohort="2024", orderBy="UPDATED_AT_DESC")

        assert [n["id"] for n in paged] == [n["id"] for n in every]

    async def test_a_school_listed_between_pages_neither_repeats_nor_hides_another(self, sandbox_db, client):
        headers = await headers_for(sandbox_db, AMBITION)
        before = [n["id"] for n in nodes(await run(client, headers, SCHOOLS, cohort="2025", first=3000))]
        new_school = uuid.uuid4()

        async def list_a_new_school() -> None:
            async with write_transaction(sandbox_db.engine) as conn:
                await conn.execute(School.__table__.insert().values(id=new_school, urn="999999", name="New School"))
                await conn.execute(
                    SchoolCohort.__table__.insert().values(
                        school_id=new_school, cohort_id=cohort_id(2025), eligible_for_funding=True
                    )
                )

        paged = [n["id"] for n in await _every_page(client, headers, cohort="2025", between_pages=list_a_new_school)]

        assert len(paged) == len(set(paged))
        # Created now, it sorts last by created_at, so it is read on a later page.
        assert paged == [*before, str(new_school)]

    async def test_a_malformed_cursor_is_a_bad_user_input_error(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), SCHOOLS, cohort="2025", after="nonsense")
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


class TestSchool:
    @pytest.mark.parametrize("lead_provider", [AMBITION, BEST_PRACTICE_NETWORK, None])
    async def test_reads_the_school_as_listed_in_the_cohort(self, readonly_db, client, lead_provider):
        provider_id = None if lead_provider is None else (await lead_provider_ids(readonly_db.engine))[lead_provider]
        expected = await expected_schools(readonly_db.engine, 2025, provider_id)
        school = str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST))

        result = await run(client, await headers_for(readonly_db, lead_provider), SCHOOL, id=school, cohort="2025")

        assert "errors" not in result
        assert result["data"]["school"] == as_graphql(school, expected[school])

    @pytest.mark.parametrize(
        ("school", "cohort"),
        [
            (str(case_id(Case.INELIGIBLE_SCHOOL)), "2025"),
            (str(case_id(Case.AMBITION_HOME_SCHOOL)), "2030"),
            (str(uuid.uuid4()), "2025"),
            ("junk", "2025"),
        ],
    )
    async def test_a_school_not_listed_in_the_cohort_is_null_with_not_found(self, readonly_db, client, school, cohort):
        result = await run(client, await headers_for(readonly_db, AMBITION), SCHOOL, id=school, cohort=cohort)
        assert result["data"] == {"school": None}
        assert [(e["extensions"]["code"], e["path"]) for e in result["errors"]] == [("NOT_FOUND", ["school"])]


class TestSchoolPartnerships:
    async def test_the_school_partnered_by_two_providers_shows_each_provider_only_its_own(self, readonly_db, client):
        school = str(case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS))
        ids = await lead_provider_ids(readonly_db.engine)
        partnerships = {}
        for lead_provider in (AMBITION, TEACH_FIRST):
            result = await run(
                client, await headers_for(readonly_db, lead_provider), SCHOOL_PARTNERSHIPS, id=school, cohort="2024"
            )
            assert "errors" not in result
            assert result["data"]["school"]["inPartnership"] is True
            partnerships[lead_provider] = result["data"]["school"]["partnerships"]
            own = await expected_partnerships(readonly_db.engine, ids[lead_provider])
            assert [p["id"] for p in partnerships[lead_provider]] == [
                id_ for id_, a in own.items() if a["school_id"] == school and a["cohort"] == "2024"
            ]
        assert len(partnerships[AMBITION]) == len(partnerships[TEACH_FIRST]) == 1
        assert partnerships[AMBITION] != partnerships[TEACH_FIRST]

        by_analyst = await run(
            client, await headers_for(readonly_db, None), SCHOOL_PARTNERSHIPS, id=school, cohort="2024"
        )
        assert sorted(p["id"] for p in by_analyst["data"]["school"]["partnerships"]) == sorted(
            p["id"] for lp in (AMBITION, TEACH_FIRST) for p in partnerships[lp]
        )

    async def test_a_provider_without_a_partnership_there_sees_none(self, readonly_db, client):
        school = str(case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS))
        result = await run(
            client, await headers_for(readonly_db, BEST_PRACTICE_NETWORK), SCHOOL_PARTNERSHIPS, id=school, cohort="2024"
        )
        assert result["data"]["school"] == {"id": school, "inPartnership": True, "partnerships": []}

    async def test_every_listed_school_shows_the_providers_partnerships_of_that_cohort(self, readonly_db, client):
        ids = await lead_provider_ids(readonly_db.engine)
        result = await run(
            client, await headers_for(readonly_db, AMBITION), SCHOOLS_WITH_PARTNERSHIPS, cohort="2024", first=3000
        )
        own = await expected_partnerships(readonly_db.engine, ids[AMBITION])

        shown = {n["id"]: sorted(p["id"] for p in n["partnerships"]) for n in nodes(result)}

        expected = {school: [] for school in shown}
        for id_, attributes in own.items():
            if attributes["cohort"] == "2024":
                expected[attributes["school_id"]].append(id_)
        assert shown == {school: sorted(ids_) for school, ids_ in expected.items()}
