"""Hostile documents are refused before any resolver or SQL runs; real documents answer, with their price."""

from __future__ import annotations

import asyncio

import pytest
from graphql import get_introspection_query

from gateway.config import GraphQLLimits
from gateway.graphql.cost import objects_in
from gateway.vocabulary import Role
from tests.graphql.support import headers_for
from tests.support import StatementCounter, bearer, issue_token

LIMITS = GraphQLLimits()
AMBITION = "Ambition Institute"

SYNC = """
query Sync($first: Int!, $after: String) {
  participants(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id fullName teacherReferenceNumber updatedAt
      enrolments {
        trainingRecordId email cohort trainingStatus participantStatus scheduleIdentifier
        school { id urn name }
        deliveryPartner { id name }
      }
      declarations { id declarationType declarationDate state }
    } }
  }
}
"""

ANALYST_READ = """
query Statements {
  statements(first: 100) {
    edges { node {
      id month year cohort paid
      leadProvider { name }
      declarations { id declarationType state participant { id fullName } deliveryPartner { name } }
    } }
  }
}
"""


def _cycle(levels: int, first: int = 2) -> str:
    """participants -> enrolments -> school -> partnerships -> participants, ``levels`` times."""
    inner = "id"
    for _ in range(levels):
        inner = f"enrolments {{ school {{ partnerships {{ participants {{ {inner} }} }} }} }}"
    return f"{{ participants(first: {first}) {{ edges {{ node {{ {inner} }} }} }} }}"


def _aliases(count: int, field: str) -> str:
    return "{ " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def _multiplying_fragments(levels: int) -> str:
    """Each fragment spreads the next twice, through two aliased lists: 2**levels paths, a few lines of text."""
    fragments = [
        f"fragment F{i} on Participant {{ a: declarations {{ participant {{ ...F{i + 1} }} }} "
        f"b: declarations {{ participant {{ ...F{i + 1} }} }} }}"
        for i in range(levels)
    ]
    fragments.append(f"fragment F{levels} on Participant {{ id }}")
    return "{ participants(first: 100) { edges { node { ...F0 } } } } " + " ".join(fragments)


def _nested_introspection(levels: int) -> str:
    inner = "name"
    for _ in range(levels):
        inner = f"fields {{ type {{ {inner} }} }}"
    return f"{{ __schema {{ types {{ {inner} }} }} }}"


def _typename_chain(levels: int) -> str:
    inner = "__typename"
    for _ in range(levels):
        inner = f"leadProvider {{ statements {{ {inner} }} }}"
    return f"{{ me {{ {inner} }} }}"


HOSTILE = {
    # name: (document, code, which limit)
    "the provider cycle 50 levels deep": (_cycle(50), "QUERY_TOO_COMPLEX", "depth"),
    "the provider cycle 10 levels deep": (_cycle(10), "QUERY_TOO_COMPLEX", "depth"),
    "the provider cycle twice from a page of 100 (within the depth)": (_cycle(2, 100), "QUERY_TOO_COMPLEX", "cost"),
    "10,000 aliases of a page of 100": (
        _aliases(10_000, "participants(first: 100) { edges { node { id } } }"),
        "REQUEST_TOO_LARGE",
        "document bytes",
    ),
    "800 aliases of a 3000-row nested page, written tightly": (
        _aliases(800, "participants(first:3000){edges{node{enrolments{school{id}}}}}"),
        "QUERY_TOO_COMPLEX",
        "tokens",
    ),
    "60 aliases of a small page": (
        _aliases(60, "participants(first: 1) { totalCount }"),
        "QUERY_TOO_COMPLEX",
        "aliases",
    ),
    "20 aliases of the sync page": (
        _aliases(
            20, "participants(first: 3000) { edges { node { enrolments { school { id } } declarations { id } } } }"
        ),
        "QUERY_TOO_COMPLEX",
        "cost",
    ),
    "21 root fields": (
        "{ " + " ".join(f"c{i}: cohorts {{ year }}" for i in range(21)) + " }",
        "QUERY_TOO_COMPLEX",
        "root fields",
    ),
    "fragments spreading each other twice, 5 levels": (_multiplying_fragments(5), "QUERY_TOO_COMPLEX", "cost"),
    # graphql-core's own validation rule refuses it (MaxIntrospectionDepthRule).
    "introspection nested in itself": (_nested_introspection(6), "BAD_USER_INPUT", None),
    "a deep __typename chain": (_typename_chain(10), "QUERY_TOO_COMPLEX", "depth"),
    "a 100 KB document": (
        "{ cohorts { year } }" + " " * 100_000,
        "REQUEST_TOO_LARGE",
        "document bytes",
    ),
}


@pytest.fixture
async def provider(readonly_db) -> dict[str, str]:
    return await headers_for(readonly_db, AMBITION)


async def _statements_of(engine, send) -> tuple[object, int]:
    with StatementCounter(engine) as counter:
        response = await send()
    return response, counter.count


class TestHostileDocuments:
    @pytest.mark.parametrize("name", list(HOSTILE))
    async def test_is_refused_with_its_limit_and_no_data(self, readonly_db, client, provider, name):
        document, code, limit = HOSTILE[name]

        response = await client.post(
            "/graphql",
            json={"query": document},
            headers={**provider, "Accept": "application/graphql-response+json"},
        )

        assert response.status_code == (413 if code == "REQUEST_TOO_LARGE" else 400)
        assert response.headers["content-type"].startswith("application/graphql-response+json")
        body = response.json()
        assert "data" not in body
        (error,) = body["errors"]
        assert error["extensions"]["code"] == code
        if limit is not None:
            assert error["extensions"]["limit"] == limit
            assert str(error["extensions"]["maximum"]) in error["message"]

    @pytest.mark.parametrize("name", list(HOSTILE))
    async def test_runs_no_sql_beyond_authenticating_the_token(self, readonly_db, client, provider, name):
        document = HOSTILE[name][0]
        _, baseline = await _statements_of(
            readonly_db.engine, lambda: client.post("/graphql", json={"variables": {}}, headers=provider)
        )
        response, count = await _statements_of(
            readonly_db.engine, lambda: client.post("/graphql", json={"query": document}, headers=provider)
        )

        assert response.json()["errors"][0]["extensions"]["code"] == HOSTILE[name][1]
        assert count == baseline

    async def test_a_mutation_over_its_budget_is_refused_before_the_action(self, readonly_db, client, provider):
        mutation = (
            "mutation { "
            + " ".join(f'v{i}: voidDeclaration(id: "x") {{ errors {{ message }} }}' for i in range(21))
            + " }"
        )

        response, count = await _statements_of(
            readonly_db.engine, lambda: client.post("/graphql", json={"query": mutation}, headers=provider)
        )

        assert response.json()["errors"][0]["extensions"]["limit"] == "root fields"
        _, baseline = await _statements_of(
            readonly_db.engine, lambda: client.post("/graphql", json={"variables": {}}, headers=provider)
        )
        assert count == baseline

    async def test_a_repeated_refusal_is_remembered_not_parsed_again(self, readonly_db, client, provider, monkeypatch):
        from gateway.graphql import limits as limits_module

        calls = []
        real_parse = limits_module.parse
        monkeypatch.setattr(limits_module, "parse", lambda *a, **k: calls.append(1) or real_parse(*a, **k))
        document = _cycle(4) + " "  # a text of its own, so no earlier test cached it

        for _ in range(3):
            response = await client.post("/graphql", json={"query": document}, headers=provider)
            assert response.json()["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"

        assert len(calls) == 1

    async def test_a_probe_keeps_answering_while_hostile_documents_are_refused(self, readonly_db, client, provider):
        hostile = [
            client.post("/graphql", json={"query": document}, headers=provider) for document, _, _ in HOSTILE.values()
        ]
        probe = client.post("/graphql", json={"query": "{ cohorts { year } }"}, headers=provider)

        *refusals, answer = await asyncio.gather(*hostile, probe)

        assert all("data" not in r.json() for r in refusals)
        assert [c["year"] for c in answer.json()["data"]["cohorts"]] == [2021, 2022, 2023, 2024, 2025, 2026]


class TestBudgets:
    async def test_the_provider_sync_query_answers_in_full(self, readonly_db, client, provider, sandbox):
        response = await client.post(
            "/graphql",
            json={"query": SYNC, "variables": {"first": 3000}},
            headers={**provider, "GraphQL-Cost": "include"},
        )

        body = response.json()
        assert "errors" not in body, body
        edges = body["data"]["participants"]["edges"]
        expected = sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION))
        assert [edge["node"]["id"] for edge in edges] == [p["id"] for p in expected]
        assert body["extensions"]["cost"]["estimated"] <= LIMITS.max_cost
        assert body["extensions"]["cost"]["actual"] == objects_in(body["data"])

    async def test_the_documented_analyst_read_answers_in_full(self, readonly_db, client):
        headers = bearer(await issue_token(readonly_db.engine, role=Role.ANALYST))

        body = (await client.post("/graphql", json={"query": ANALYST_READ}, headers=headers)).json()

        assert "errors" not in body, body
        assert any(edge["node"]["declarations"] for edge in body["data"]["statements"]["edges"])

    async def test_the_analyst_read_is_over_a_providers_budget_only_when_its_estimate_is(self, readonly_db, client):
        # The analyst budget is the larger one: a document between the two is an analyst's, not a provider's.
        document = _aliases(2, "statements(first: 3000) { edges { node { declarations { id } } } }")
        provider_body = (
            await client.post("/graphql", json={"query": document}, headers=await headers_for(readonly_db, AMBITION))
        ).json()
        analyst_body = (
            await client.post("/graphql", json={"query": document}, headers=await headers_for(readonly_db, None))
        ).json()

        assert provider_body["errors"][0]["extensions"]["limit"] == "cost"
        assert "errors" not in analyst_body, analyst_body

    async def test_the_graphiql_introspection_query_fits_a_providers_budget(self, readonly_db, client, provider):
        body = (await client.post("/graphql", json={"query": get_introspection_query()}, headers=provider)).json()

        assert "errors" not in body
        assert body["data"]["__schema"]["queryType"]["name"] == "Query"


PINNED = [
    # (document, variables, estimated cost): one object per connection, edge, node and related row.
    ("{ me { role } }", None, 1),
    ("{ participants(first: 2) { edges { node { id } } } }", None, 5),
    ("query($n: Int) { participants(first: $n) { edges { node { id } } } }", {"n": 3}, 7),
    ("query($n: Int) { participants(first: $n) { edges { node { id } } } }", {}, 201),  # the field's default page
    ("{ participants(first: 100000) { edges { node { id } } } }", None, 6001),  # capped like the page itself
    (
        "{ participants(first: 2) { pageInfo { hasNextPage } edges { node { enrolments { school { id } } } } } }",
        None,
        14,
    ),
    ("{ cohorts { year } }", None, 10),
    (
        "{ participants(first: 1) { edges { node { ...P ...P } } } } fragment P on Participant { declarations { id } }",
        None,
        13,
    ),
]


class TestReportedCost:
    @pytest.mark.parametrize(("document", "variables", "estimated"), PINNED)
    async def test_is_the_estimate_and_the_objects_answered(
        self, readonly_db, client, provider, document, variables, estimated
    ):
        response = await client.post(
            "/graphql",
            json={"query": document, "variables": variables, "extensions": {"cost": True}},
            headers=provider,
        )

        body = response.json()
        assert "errors" not in body, body
        assert body["extensions"]["cost"] == {
            "estimated": estimated,
            "actual": objects_in(body["data"]),
            "limit": LIMITS.max_cost,
        }

    async def test_the_objects_answered_are_counted_exactly(self, readonly_db, client, provider):
        response = await client.post(
            "/graphql",
            json={"query": "{ participants(first: 2) { edges { node { id } } } }"},
            headers={**provider, "GraphQL-Cost": "include"},
        )

        assert response.json()["extensions"]["cost"]["actual"] == 5  # the connection, 2 edges, 2 nodes

    async def test_is_absent_unless_asked_for(self, readonly_db, client, provider):
        body = (await client.post("/graphql", json={"query": "{ me { role } }"}, headers=provider)).json()

        assert body == {"data": {"me": {"role": "LEAD_PROVIDER"}}}


PAGED_BY_VARIABLES = """
query($n: Int, $m: Int, $id: ID!) {
  participants(first: $n) { edges { node { id } } }
  participant(id: $id) { id }
  ...Schools
}
fragment Schools on Query { deliveryPartners(first: $m) { edges { node { id } } } }
"""


class TestPricesRememberedByPageSizes:
    """A document with variables is priced per request from its page-size variables' values, and the price of
    values seen before is remembered (only ``first`` variables can change it: gateway.graphql.cost)."""

    async def _estimated(self, client, provider, variables) -> int:
        response = await client.post(
            "/graphql",
            json={"query": PAGED_BY_VARIABLES, "variables": variables, "extensions": {"cost": True}},
            headers=provider,
        )
        body = response.json()
        assert "extensions" in body, body
        return body["extensions"]["cost"]["estimated"]

    async def test_each_page_size_gets_its_own_price_and_a_repeat_is_not_estimated_again(
        self, readonly_db, client, provider, monkeypatch
    ):
        from gateway.graphql.cost import CostModel

        estimates = []
        estimate = CostModel.estimate

        def counted(model, *args, **kwargs):
            estimates.append(args[-1])
            return estimate(model, *args, **kwargs)

        monkeypatch.setattr(CostModel, "estimate", counted)
        some_id = "00000000-0000-0000-0000-000000000000"

        small = await self._estimated(client, provider, {"n": 1, "m": 1, "id": some_id})
        larger = await self._estimated(client, provider, {"n": 3, "m": 1, "id": some_id})
        fragment_larger = await self._estimated(client, provider, {"n": 3, "m": 2, "id": some_id})
        another_id = await self._estimated(client, provider, {"n": 3, "m": 2, "id": "another"})
        defaults = await self._estimated(client, provider, {"id": some_id})

        # the connection, its edges and nodes (2 per page entry + 1), plus the lookup's one object
        assert (small, larger, fragment_larger) == (3 + 1 + 3, 7 + 1 + 3, 7 + 1 + 5)
        assert another_id == fragment_larger
        assert defaults == 201 + 1 + 201  # both fields' default page (first absent)
        assert len(estimates) == 4  # the new id alone did not estimate again

    async def test_a_page_size_over_the_budget_is_refused_after_a_small_one_was_priced(
        self, readonly_db, client, provider
    ):
        cycle = "query($n: Int) " + _cycle(2).replace("participants(first: 2)", "participants(first: $n)", 1)

        def sent(n: int):
            return client.post("/graphql", json={"query": cycle, "variables": {"n": n}}, headers=provider)

        assert "errors" not in (await sent(1)).json()
        refused = (await sent(100)).json()  # the same document, a page 100 times larger

        assert refused["errors"][0]["extensions"]["limit"] == "cost", refused
        assert "data" not in refused


class TestEveryListDeclaresItsBound:
    def test_every_list_of_objects_in_the_schema_has_a_declared_bound(self):
        from graphql import get_named_type, is_leaf_type, is_object_type

        from gateway.graphql.compiled.planner import BACKREF, list_depth
        from gateway.graphql.relations import list_bound_of
        from gateway.graphql.schema import schema

        missing = [
            f"{type_.name}.{name}"
            for type_ in schema._schema.type_map.values()
            if is_object_type(type_) and not type_.name.startswith("__")
            for name, field in type_.fields.items()
            if list_depth(field.type)
            and not is_leaf_type(get_named_type(field.type))
            and list_bound_of(field.extensions.get(BACKREF)) is None
        ]
        assert missing == []
