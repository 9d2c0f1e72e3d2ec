"""Looking ahead on Strawberry's normal execution (compiled execution off): each relation level is loaded once,
through the request's DataLoaders, before graphql-core walks the rows; the answers and the SQL statements are
those of execution without looking ahead."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from collections.abc import Callable

import orjson
import pytest
from aiodataloader import DataLoader
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.domain import schools
from gateway.graphql import endpoint
from gateway.graphql.compiled import planner
from gateway.graphql.loaders.declarations import DeclarationsByParticipantLoader
from gateway.graphql.loaders.schools import SchoolByIdAndCohortLoader
from gateway.graphql.schema import schema
from gateway.sandbox.reference import AMBITION
from gateway.vocabulary import Role
from tests.support import StatementCounter, bearer, issue_token

SYNC = """
query Sync($first: Int) { participants(first: $first) { totalCount pageInfo { hasNextPage endCursor }
  edges { cursor node { id fullName teacherReferenceNumber createdAt updatedAt
    enrolments { trainingRecordId mentorId schoolUrn cohort trainingStatus deliveryPartnerId withdrawal { reason date }
      school { id urn name cohort } deliveryPartner { id name cohorts { year } }
    }
    declarations { id declarationType state statementId deliveryPartnerId }
  } } } }
"""

ME_AND_PARTICIPANTS = """
query Mixed($first: Int) {
  me { role leadProvider { name statements { id month year declarations { id state } } } }
  participants(first: $first) { edges { node { id enrolments { school { name } schedule { identifier } } } } }
}
"""
PARTNERSHIP_SCHOOL = (
    "query { partnerships(first: 1) { edges { node { id school { name } deliveryPartner { name } } } } }"
)
ENROLMENT_PARTNERSHIP_SCHOOL = """
query { participants(first: 60) { edges { node { id enrolments { school { name } partnership { id school { name } } } } } } }
"""
NULL_DIRECTIVE = """
query($skip: Boolean = false) { participants(first: 3) { edges { node { id declarations @skip(if: $skip) { id } } } } }
"""


def _deep(levels: int) -> str:
    """Partnership -> school -> partnerships, ``levels`` times: deeper than the planner plans."""
    inner = "id"
    for _ in range(levels):
        inner = f"id school {{ name partnerships {{ deliveryPartner {{ name }} {inner} }} }}"
    return f"query Deep {{ partnerships(first: 3) {{ edges {{ node {{ {inner} }} }} }} }}"


@pytest.fixture(scope="module")
async def tokens(shared_sandbox) -> dict[str, dict[str, str]]:
    engine = shared_sandbox.engine
    return {
        "provider": bearer(await issue_token(engine, lead_provider=AMBITION)),
        "analyst": bearer(await issue_token(engine, role=Role.ANALYST)),
    }


@pytest.fixture
def normal_path(monkeypatch) -> None:
    """Strawberry's normal execution, as with GATEWAY_COMPILED_EXECUTION=0."""
    monkeypatch.setattr(endpoint._graphql, "compiled", None)


@pytest.fixture
def without_looking_ahead(monkeypatch) -> Callable[[], None]:
    """Turns looking ahead off for the rest of the test: relation resolvers then load row by row."""

    def switch() -> None:
        monkeypatch.setattr(schema, "execution_context_class", StrawberryGraphQLCoreExecutionContext)

    return switch


@pytest.fixture
def dataloader_calls(monkeypatch) -> Counter[str]:
    """Calls per DataLoader class: ``load`` as resolvers call it, ``load_many`` for a whole level."""
    calls: Counter[str] = Counter()
    load = DataLoader.load

    def counted_load(self, key):
        calls[f"{type(self).__name__}.load"] += 1
        return load(self, key)

    def counted_load_many(self, keys):
        calls[f"{type(self).__name__}.load_many"] += 1
        return asyncio.gather(*(load(self, key) for key in keys))

    monkeypatch.setattr(DataLoader, "load", counted_load)
    monkeypatch.setattr(DataLoader, "load_many", counted_load_many)
    return calls


def _masked(answer: bytes) -> bytes:
    """An internal error quotes its request's own id; nothing else may differ."""
    return re.sub(rb"request id [0-9a-f]{32}", b"request id -", answer)


async def _post(client, headers, query: str, variables: dict | None = None) -> bytes:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200
    return response.content


async def _statements(client, engine, headers, query: str, first: int) -> int:
    with StatementCounter(engine) as counter:
        response = await client.post("/graphql", json={"query": query, "variables": {"first": first}}, headers=headers)
    body = response.json()
    assert "errors" not in body and len(body["data"]["participants"]["edges"]) == first
    return counter.count


class TestStatements:
    async def test_a_hundred_or_a_thousand_participants_cost_the_statements_they_cost_without_looking_ahead(
        self, scale_two_db, client, normal_path, without_looking_ahead
    ):
        headers = bearer(await issue_token(scale_two_db.engine, role=Role.ANALYST))
        looking_ahead = [await _statements(client, scale_two_db.engine, headers, SYNC, n) for n in (100, 1000)]
        without_looking_ahead()
        plain = [await _statements(client, scale_two_db.engine, headers, SYNC, n) for n in (100, 1000)]

        assert looking_ahead == plain
        assert looking_ahead[0] == looking_ahead[1]


class TestLoading:
    async def test_the_sync_query_loads_each_relation_level_once_and_no_row_on_its_own(
        self, readonly_db, client, tokens, normal_path, dataloader_calls
    ):
        await _post(client, tokens["provider"], SYNC, {"first": 200})

        # An enrolment's school and delivery partner come with it: no loader of their own.
        assert dataloader_calls == {
            # A partner's cohorts: its years, then their cohort rows, each batch once.
            "CohortsByDeliveryPartnerLoader.load_many": 1,
            "CohortYearsByDeliveryPartnerLoader.load_many": 1,
            "CohortByYearLoader.load_many": 1,
            "DeclarationsByParticipantLoader.load_many": 1,
        }

    async def test_without_looking_ahead_each_row_loads_its_relations(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, dataloader_calls
    ):
        # What the test above rules out: a DataLoader future per row and relation.
        without_looking_ahead()
        await _post(client, tokens["provider"], SYNC, {"first": 200})

        assert dataloader_calls["DeclarationsByParticipantLoader.load"] == 200
        assert "DeclarationsByParticipantLoader.load_many" not in dataloader_calls


class TestAnswers:
    @pytest.mark.parametrize("caller", ["provider", "analyst"])
    async def test_the_sync_query_answers_as_without_looking_ahead(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, caller
    ):
        looked_ahead = await _post(client, tokens[caller], SYNC, {"first": 300})
        without_looking_ahead()

        assert looked_ahead == await _post(client, tokens[caller], SYNC, {"first": 300})

    async def test_a_root_not_looked_ahead_and_one_looked_ahead_answer_together(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, dataloader_calls
    ):
        # `me` resolves synchronously, so nothing below it is loaded ahead: its relations load row by row.
        looked_ahead = await _post(client, tokens["provider"], ME_AND_PARTICIPANTS, {"first": 50})
        loads = dataloader_calls.copy()
        without_looking_ahead()

        assert looked_ahead == await _post(client, tokens["provider"], ME_AND_PARTICIPANTS, {"first": 50})
        assert b'"statements":[{' in looked_ahead and b'"school":{' in looked_ahead
        assert loads["LeadProviderByIdLoader.load"] == 1
        assert loads["ScheduleByIdLoader.load_many"] == 1 and "ScheduleByIdLoader.load" not in loads

    async def test_a_selection_deeper_than_the_plan_is_loaded_ahead_down_to_its_limit_and_answers_alike(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, dataloader_calls, generous_limits
    ):
        query = _deep(planner.MAX_DEPTH // 2 + 2)  # two selection sets a level
        looked_ahead = await _post(client, tokens["provider"], query)
        loads = dataloader_calls.copy()
        without_looking_ahead()

        assert looked_ahead == await _post(client, tokens["provider"], query)
        assert b'"errors"' not in looked_ahead
        assert loads["PartnershipsBySchoolAndCohortLoader.load_many"] >= 1

    async def test_a_level_that_fails_to_load_ahead_is_loaded_by_its_resolvers(
        self, readonly_db, client, tokens, normal_path, dataloader_calls, monkeypatch
    ):
        expected = await _post(client, tokens["provider"], SYNC, {"first": 50})

        async def failing() -> list:
            raise RuntimeError("the database went away while looking ahead")

        monkeypatch.setattr(DeclarationsByParticipantLoader, "load_many", lambda self, keys: failing())
        dataloader_calls.clear()

        assert await _post(client, tokens["provider"], SYNC, {"first": 50}) == expected
        assert dataloader_calls["DeclarationsByParticipantLoader.load"] == 50


class TestErrors:
    async def test_a_non_null_relation_that_finds_nothing_is_reported_as_without_looking_ahead(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, monkeypatch
    ):
        monkeypatch.setattr(SchoolByIdAndCohortLoader, "lookup", staticmethod(_every_third_school_missing))
        looked_ahead = await _post(client, tokens["provider"], PARTNERSHIP_SCHOOL)
        without_looking_ahead()

        assert _masked(looked_ahead) == _masked(await _post(client, tokens["provider"], PARTNERSHIP_SCHOOL))
        assert _error_paths(looked_ahead) == [["partnerships", "edges", 0, "node", "school"]]
        assert orjson.loads(looked_ahead)["data"] is None

    async def test_several_relations_that_find_nothing_are_reported_in_the_order_of_the_answer(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead, monkeypatch
    ):
        # Each nulls only its own (nullable) partnership. Without looking ahead they came in the order their
        # futures happened to settle; now in the order of the answer. The errors themselves are the same.
        monkeypatch.setattr(SchoolByIdAndCohortLoader, "lookup", staticmethod(_every_third_school_missing))
        looked_ahead = orjson.loads(await _post(client, tokens["provider"], ENROLMENT_PARTNERSHIP_SCHOOL))
        without_looking_ahead()
        plain = orjson.loads(await _post(client, tokens["provider"], ENROLMENT_PARTNERSHIP_SCHOOL))

        assert looked_ahead["data"] == plain["data"]
        assert len(looked_ahead["errors"]) > 1
        assert sorted(map(_without_request_id, looked_ahead["errors"]), key=repr) == sorted(
            map(_without_request_id, plain["errors"]), key=repr
        )
        assert [e["path"] for e in looked_ahead["errors"]] == sorted(e["path"] for e in looked_ahead["errors"])

    async def test_a_directive_that_cannot_be_evaluated_below_a_root_is_reported_as_without_looking_ahead(
        self, readonly_db, client, tokens, normal_path, without_looking_ahead
    ):
        variables = {"skip": None}  # explicitly null where @skip needs a Boolean
        looked_ahead = await _post(client, tokens["provider"], NULL_DIRECTIVE, variables)
        without_looking_ahead()

        assert _masked(looked_ahead) == _masked(await _post(client, tokens["provider"], NULL_DIRECTIVE, variables))
        assert b'"errors"' in looked_ahead


async def _every_third_school_missing(conn, caller, keys):
    found = await schools.schools_by_id_and_cohort(conn, caller, keys)
    return {key: row for n, (key, row) in enumerate(sorted(found.items())) if n % 3}


def _error_paths(answer: bytes) -> list[list]:
    return [error["path"] for error in orjson.loads(answer)["errors"]]


def _without_request_id(error: dict) -> dict:
    return {**error, "message": _masked(error["message"].encode()).decode()}
