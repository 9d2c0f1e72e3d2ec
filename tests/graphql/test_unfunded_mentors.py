"""The `unfundedMentors` and `unfundedMentor` root fields and UnfundedMentor's `mentees`, over the sandbox."""

from __future__ import annotations

import uuid

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from tests.graphql.support import headers_for, nodes, run
from tests.support import StatementCounter

FIELDS = "id fullName email teacherReferenceNumber createdAt updatedAt"

UNFUNDED_MENTORS = f"""
query UnfundedMentors($first: Int, $updatedSince: String, $leadProviderId: ID, $orderBy: UnfundedMentorOrder! = CREATED_AT_ASC) {{
    unfundedMentors(first: $first, updatedSince: $updatedSince, leadProviderId: $leadProviderId, orderBy: $orderBy) {{
        totalCount
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

UNFUNDED_MENTOR = f"""
query UnfundedMentor($id: ID!) {{
    unfundedMentor(id: $id) {{ {FIELDS} mentees {{ id enrolments {{ mentorId }} }} }}
}}
"""

WITH_MENTEES = """
query WithMentees($first: Int) {
    unfundedMentors(first: $first) { edges { node { id mentees { id enrolments { mentorId unfundedMentor { id } mentor { id } } } } } }
}
"""


def as_graphql(resource: dict) -> dict:
    a = resource["attributes"]
    return {
        "id": resource["id"],
        "fullName": a["full_name"],
        "email": a["email"],
        "teacherReferenceNumber": a["teacher_reference_number"],
        "createdAt": a["created_at"],
        "updatedAt": a["updated_at"],
    }


class TestUnfundedMentors:
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_exactly_what_the_database_holds_for_each_provider(
        self, readonly_db, client, sandbox, lead_provider
    ):
        result = await run(client, await headers_for(readonly_db, lead_provider), UNFUNDED_MENTORS, first=3000)
        expected = sandbox.unfunded_mentors_seen_by(sandbox.lead_provider_id(lead_provider))
        assert nodes(result) == [as_graphql(r) for r in expected]
        assert result["data"]["unfundedMentors"]["totalCount"] == len(expected)

    async def test_returns_the_same_records_as_the_rest_api_in_the_same_order(self, readonly_db, client):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        rest = (
            await client.get(
                "/api/v3/unfunded-mentors", params={"page[per_page]": "3000", "sort": "-updated_at"}, headers=headers
            )
        ).json()["data"]
        result = await run(client, headers, UNFUNDED_MENTORS, first=3000, orderBy="UPDATED_AT_DESC")
        assert nodes(result) == [as_graphql(r) for r in rest]

    async def test_the_mentees_are_the_providers_ects_they_mentor(self, readonly_db, client, sandbox):
        lead_provider_id = sandbox.lead_provider_id(TEACH_FIRST)
        found = nodes(await run(client, await headers_for(readonly_db, TEACH_FIRST), WITH_MENTEES, first=3000))
        assert found
        assert {n["id"]: {m["id"] for m in n["mentees"]} for n in found} == {
            n["id"]: {str(p) for p in sandbox.mentees(uuid.UUID(n["id"]), lead_provider_id)} for n in found
        }

    async def test_mentees_cost_the_same_statements_small_or_large(self, readonly_db, client):
        headers = await headers_for(readonly_db, None)
        counts = {}
        for first in (3, 300):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, WITH_MENTEES, first=first)
            counts[first] = (counter.count, len(nodes(result)))
        assert counts[300][1] > 20
        assert counts[3][0] == counts[300][0]


class TestUnfundedMentor:
    async def test_reads_the_seeded_unfunded_mentor_with_its_mentee(self, readonly_db, client, sandbox):
        result = await run(
            client, await headers_for(readonly_db, AMBITION), UNFUNDED_MENTOR, id=str(case_id(Case.UNFUNDED_MENTOR))
        )
        assert "errors" not in result, result
        mentor = result["data"]["unfundedMentor"]
        assert {k: v for k, v in mentor.items() if k != "mentees"} == as_graphql(
            sandbox.unfunded_mentor(case_id(Case.UNFUNDED_MENTOR))
        )
        assert mentor["mentees"] == [
            {"id": str(case_id(Case.ECT_WITH_UNFUNDED_MENTOR)), "enrolments": [{"mentorId": mentor["id"]}]}
        ]

    async def test_a_mentor_the_provider_trains_is_null_and_not_found(self, readonly_db, client):
        result = await run(
            client, await headers_for(readonly_db, TEACH_FIRST), UNFUNDED_MENTOR, id=str(case_id(Case.UNFUNDED_MENTOR))
        )
        assert result["data"] == {"unfundedMentor": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
