"""On the compiled path too, a query's SQL statement count depends on its shape, never on its row count.

Each loader appears once in these queries: a loader used at two places may find every key of the
second already in its cache (one statement fewer), which would make the count depend on the data.
"""

from __future__ import annotations

import pytest

from gateway.vocabulary import Role
from tests.conftest import IS_POSTGRES
from tests.graphql.compiled.corpus import AMBITION, ANALYST
from tests.graphql.compiled.paths import BothPaths
from tests.support import SQLiteTrips, StatementCounter, bearer, issue_token

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
    with paths.only(compiled=True), StatementCounter(engine) as counter:
        response = await paths.client.post(
            "/graphql", json={"query": query, "variables": {"first": first}}, headers=headers
        )
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
        compiled = await _compiled_only(paths, readonly_db.engine, callers[ANALYST], SYNC, 50)
        with paths.only(compiled=False), StatementCounter(readonly_db.engine) as counter:
            await paths.client.post(
                "/graphql", json={"query": SYNC, "variables": {"first": 50}}, headers=callers[ANALYST]
            )

        assert compiled <= counter.count


class TestStatementCountsAtScale:
    async def test_a_hundred_or_a_thousand_participants_cost_the_same_statements(self, scale_two_db, client, executor):
        headers = bearer(await issue_token(scale_two_db.engine, role=Role.ANALYST))
        paths = BothPaths(client, executor)
        await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 1)

        hundred = await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 100)
        thousand = await _compiled_only(paths, scale_two_db.engine, headers, SYNC, 1000)

        assert hundred == thousand


LOOKUP_FIELDS = """
  id fullName teacherReferenceNumber createdAt updatedAt
  enrolments { trainingRecordId cohort trainingStatus school { id urn name } deliveryPartner { id name } }
  declarations { id declarationType state }
"""


_SCHOOL_FLAGS = "school_cohorts.induction_tutor_name"
"""Only the statement of a school's cohort flags reads it."""


def _lookup(extra: str = "") -> str:
    return f"query Lookup($id: ID!) {{ participant(id: $id) {{ {LOOKUP_FIELDS} {extra} }} }}"


async def _lookup_statements(paths: BothPaths, engine, headers, query: str, participant_id: str, *, compiled: bool):
    with paths.only(compiled=compiled), StatementCounter(engine) as counter:
        response = await paths.client.post(
            "/graphql", json={"query": query, "variables": {"id": participant_id}}, headers=headers
        )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body and body["data"]["participant"]["id"] == participant_id
    return counter.statements


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "normal"])
class TestLookupStatements:
    """A lookup reads only what its document selects: id changes and a partner's cohorts cost a statement
    each when selected, none when not."""

    async def test_a_lookup_costs_one_statement_per_level_it_selects(
        self, readonly_db, paths, callers, sandbox_ids, compiled
    ):
        participant_id = sandbox_ids["declarations ect"]
        await paths.post(callers[AMBITION], _lookup(), {"id": participant_id})  # warm the caches

        statements = await _lookup_statements(
            paths, readonly_db.engine, callers[AMBITION], _lookup(), participant_id, compiled=compiled
        )

        # the token; the participant with its enrolments, their schools and delivery partners; its declarations
        assert len(statements) == 3
        assert all(
            table in statements[1] for table in ("participants", "training_periods", "schools", "delivery_partners")
        )
        assert not any("participant_id_changes" in s for s in statements)
        assert not any("provider_relationships" in s for s in statements)
        assert not any(_SCHOOL_FLAGS in s for s in statements)

    @pytest.mark.parametrize(
        "extra, marker, added",
        [
            ("participantIdChanges { fromParticipantId changedAt }", "participant_id_changes", 1),
            # a partner's cohorts: its years, then their cohort rows
            ("enrolments { deliveryPartner { cohort cohorts { year } } }", "provider_relationships", 2),
            ("enrolments { school { inPartnership inductionProgrammeChoice expressionOfInterest inductionTutorName } }",
             _SCHOOL_FLAGS, 1),
        ],
        ids=["id changes", "partner cohorts", "school flags"],
    )  # fmt: skip
    async def test_a_selected_relation_adds_its_statements(
        self, readonly_db, paths, callers, sandbox_ids, compiled, extra, marker, added
    ):
        participant_id = sandbox_ids["declarations ect"]
        query = _lookup(extra)
        await paths.post(callers[AMBITION], query, {"id": participant_id})

        plain = await _lookup_statements(
            paths, readonly_db.engine, callers[AMBITION], _lookup(), participant_id, compiled=compiled
        )
        selected = await _lookup_statements(
            paths, readonly_db.engine, callers[AMBITION], query, participant_id, compiled=compiled
        )

        assert len(selected) - len(plain) == added
        assert any(marker in s for s in selected)


@pytest.mark.skipif(IS_POSTGRES, reason="aiosqlite's thread")
async def test_on_sqlite_each_lookup_statement_is_one_trip_to_the_database_thread(
    readonly_db, paths, callers, sandbox_ids
):
    """gateway.db.sqlite_driver: no trip to open, fetch or close a cursor, none to return a read connection."""
    participant_id = sandbox_ids["declarations ect"]
    await paths.post(callers[AMBITION], _lookup(), {"id": participant_id})

    with SQLiteTrips() as trips:
        statements = await _lookup_statements(
            paths, readonly_db.engine, callers[AMBITION], _lookup(), participant_id, compiled=True
        )

    assert trips.count == len(statements) == 3


PARTNERSHIP_PARTICIPANTS = "{ partnerships(first: 20) { edges { node { id participants { id fullName %s } } } } }"


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "normal"])
async def test_a_partnerships_participants_read_their_id_changes_only_when_selected(
    readonly_db, paths, callers, compiled
):
    async def statements_of(query: str) -> list[str]:
        with paths.only(compiled=compiled), StatementCounter(readonly_db.engine) as counter:
            response = await paths.client.post("/graphql", json={"query": query}, headers=callers[AMBITION])
        assert response.status_code == 200 and "errors" not in response.json()
        return counter.statements

    plain = await statements_of(PARTNERSHIP_PARTICIPANTS % "")
    selected = await statements_of(PARTNERSHIP_PARTICIPANTS % "participantIdChanges { changedAt }")

    assert not any("participant_id_changes" in s for s in plain)
    assert len(selected) == len(plain) + 1 and any("participant_id_changes" in s for s in selected)


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "normal"])
async def test_a_shape_asked_again_with_new_values_compiles_no_sql(readonly_db, paths, callers, compiled):
    """Each statement's SQL is compiled once per shape and found in SQLAlchemy's compiled cache after: a
    request with new values (another page size, another participant) spends no time compiling SQL."""

    async def compiled_statements(query: str, variables: dict) -> tuple[dict, list[str], list[str]]:
        with paths.only(compiled=compiled), StatementCounter(readonly_db.engine) as counter:
            response = await paths.client.post(
                "/graphql", json={"query": query, "variables": variables}, headers=callers[AMBITION]
            )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body
        return body["data"], counter.statements, counter.compiled

    await compiled_statements(SYNC, {"first": 50})
    page, statements, compiled_now = await compiled_statements(SYNC, {"first": 20})
    assert len(page["participants"]["edges"]) == 20 and len(statements) >= 3
    assert compiled_now == []

    first, second = (edge["node"]["id"] for edge in page["participants"]["edges"][:2])
    await compiled_statements(_lookup(), {"id": first})
    found, statements, compiled_now = await compiled_statements(_lookup(), {"id": second})
    assert found["participant"]["id"] == second and len(statements) == 3
    assert compiled_now == []
