"""On the compiled path too, a query's SQL statement count depends on its shape, never on its row count.

Each loader appears once in these queries: a loader used at two places may find every key of the
second already in its cache (one statement fewer), which would make the count depend on the data.
"""

from __future__ import annotations


import pytest

from gateway.vocabulary import Role
from tests.graphql.compiled.corpus import AMBITION, ANALYST
from tests.graphql.compiled.paths import BothPaths
from tests.support import StatementCounter, bearer, issue_token

SYNC = """
query Sync($first: Int) { participants(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id fullName teacherReferenceNumber createdAt updatedAt
    participantIdChanges { fromParticipantId toParticipantId changedAt }
    enrolments { trainingRecordId email mentorId schoolUrn participantType cohort trainingStatus participantStatus
      eligibleForFunding pupilPremiumUplift sparsityUplift scheduleIdentifier deliveryPartnerId withdrawal { reason date }
      school { id urn name cohort } mentor { id fullName } schedule { identifier milestones { declarationType } }
    }
    declarations { id declarationType state statementId statement { id month year } deliveryPartner { name } }
  } } } }
"""

DECLARATIONS = """
query Declarations($first: Int) { declarations(first: $first) { edges { node {
  id state statement { id cohort } deliveryPartner { name cohorts { year } } leadProvider { name }
} } } }
"""


async def _compiled_only(paths: BothPaths, engine, headers, query: str, first: int) -> int:
    from gateway.graphql import endpoint

    saved = endpoint._graphql.compiled
    endpoint._graphql.compiled = paths.executor
    try:
        with StatementCounter(engine) as counter:
            response = await paths.client.post(
                "/graphql", json={"query": query, "variables": {"first": first}}, headers=headers
            )
    finally:
        endpoint._graphql.compiled = saved
    assert response.status_code == 200 and "errors" not in response.json()
    return counter.count


class TestStatementCounts:
    @pytest.mark.parametrize("query", [SYNC, DECLARATIONS], ids=["provider sync", "declarations with relations"])
    async def test_fifty_or_two_hundred_rows_cost_the_same_statements(self, readonly_db, paths, callers, query):
        # Fifty rows already reach every relation of the query (a level with no keys at all costs no statement).
        await paths.post(callers[AMBITION], query, {"first": 1})  # compile first, so both counts are warm

        few = await _compiled_only(paths, readonly_db.engine, callers[AMBITION], query, 50)
        many = await _compiled_only(paths, readonly_db.engine, callers[AMBITION], query, 200)

        assert few == many

    async def test_the_compiled_path_issues_no_more_statements_than_the_normal_path(self, readonly_db, paths, callers):
        from gateway.graphql import endpoint

        compiled = await _compiled_only(paths, readonly_db.engine, callers[ANALYST], SYNC, 50)
        saved = endpoint._graphql.compiled
        endpoint._graphql.compiled = None
        try:
            with StatementCounter(readonly_db.engine) as counter:
                await paths.client.post(
                    "/graphql", json={"query": SYNC, "variables": {"first": 50}}, headers=callers[ANALYST]
                )
        finally:
            endpoint._graphql.compiled = saved

        assert compiled <= counter.count


class TestStatementCountsAtScale:
    async def test_a_hundred_or_a_thousand_participants_cost_the_same_statements(self, scale_two_db, client, executor):
        headers = bearer(await issue_token(scale_two_db.engine, role=Role.ANALYST))
        paths = BothPaths(client, executor)
        await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 1)

        hundred = await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 100)
        thousand = await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 1000)

        assert hundred == thousand
