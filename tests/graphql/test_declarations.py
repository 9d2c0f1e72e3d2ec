"""The `declarations` and `declaration` root fields, the Declaration type's relations, and their SQL statement counts."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from gateway import vocabulary
from gateway.db.engine import read_connection
from gateway.db.tables import LeadProvider
from gateway.vocabulary import Role
from tests.fixtures.declaration_world import World
from tests.graphql.support import node_ids, run
from tests.rest.test_declarations import all_pages
from tests.support import StatementCounter, bearer, issue_token

FIELDS = """
    id participantId declarationType declarationDate courseIdentifier state updatedAt createdAt deliveryPartnerId
    statementId clawbackStatementId ineligibleForFundingReason mentorId upliftPaid evidenceHeld hasPassed leadProviderName
"""

DECLARATIONS = f"""
query Declarations(
    $first: Int, $after: String, $cohort: [String!], $participantId: [ID!], $deliveryPartnerId: [ID!],
    $updatedSince: String, $leadProviderId: ID, $orderBy: DeclarationOrder! = CREATED_AT_ASC
) {{
    declarations(
        first: $first, after: $after, cohort: $cohort, participantId: $participantId, deliveryPartnerId: $deliveryPartnerId,
        updatedSince: $updatedSince, leadProviderId: $leadProviderId, orderBy: $orderBy
    ) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

DECLARATION = f"""
query Declaration($id: ID!) {{
    declaration(id: $id) {{ {FIELDS} }}
}}
"""

DECLARATION_RELATIONS = """
query Relations($id: ID!) {
    declaration(id: $id) {
        participant { id }
        mentor { id }
        statement { id month }
        clawbackStatement { id month }
        deliveryPartner { id name }
        leadProvider { id name }
    }
}
"""

RELATIONS_PAGE = """
query RelationsPage($first: Int!) {
    declarations(first: $first) {
        edges { node { id statement { id } participant { id } mentor { id } deliveryPartner { id } leadProvider { name } } }
    }
}
"""


async def alpha(world_engine) -> dict[str, str]:
    return bearer(await issue_token(world_engine, lead_provider="Alpha Training"))


def names(w: World, *keys: str) -> list[str]:
    return [str(w.declarations[k]) for k in keys]


ALPHA_VIEW = (
    "moved_in_started",
    "moved_out_retained_2",
    "moved_out_started",
    "moved_in_retained_1",
    "moved_in_retained_3",
)


class TestDeclarations:
    async def test_a_provider_gets_its_own_and_others_billable_declarations_of_its_participants(
        self, world_db, world, client
    ):
        result = await run(client, await alpha(world_db.db.engine), DECLARATIONS)
        assert node_ids(result) == names(world, *ALPHA_VIEW)
        assert result["data"]["declarations"]["totalCount"] == 5

    async def test_every_v3_attribute_is_there_with_enum_values(self, world_db, world, client):
        result = await run(
            client, await alpha(world_db.db.engine), DECLARATION, id=str(world.declarations["moved_out_retained_2"])
        )
        assert "errors" not in result
        assert result["data"]["declaration"] == {
            "id": str(world.declarations["moved_out_retained_2"]),
            "participantId": str(world.participants["moved_out"]),
            "declarationType": "RETAINED_2",
            "declarationDate": "2023-11-01T10:00:00Z",
            "courseIdentifier": "ECF_INDUCTION",
            "state": "CLAWED_BACK",
            "updatedAt": "2023-11-01T12:00:00Z",
            "createdAt": "2023-11-01T12:00:00Z",
            "deliveryPartnerId": str(world.delivery_partners["Alpha"]),
            "statementId": str(world.statements["alpha_january"]),
            "clawbackStatementId": str(world.statements["alpha_april"]),
            "ineligibleForFundingReason": None,
            "mentorId": None,
            "upliftPaid": False,
            "evidenceHeld": "TRAINING_EVENT_ATTENDED",
            "hasPassed": None,
            "leadProviderName": "Alpha Training",
        }

    async def test_pages_continue_after_the_cursor(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        first = await run(client, headers, DECLARATIONS, first=3)
        assert first["data"]["declarations"]["pageInfo"]["hasNextPage"] is True
        rest = await run(
            client, headers, DECLARATIONS, first=3, after=first["data"]["declarations"]["pageInfo"]["endCursor"]
        )
        assert rest["data"]["declarations"]["pageInfo"]["hasNextPage"] is False
        assert node_ids(first) + node_ids(rest) == names(world, *ALPHA_VIEW)

    async def test_newest_first_on_request(self, world_db, world, client):
        result = await run(client, await alpha(world_db.db.engine), DECLARATIONS, orderBy="CREATED_AT_DESC")
        assert node_ids(result) == names(world, *reversed(ALPHA_VIEW))

    async def test_filters_mirror_the_rest_api(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        assert node_ids(await run(client, headers, DECLARATIONS, cohort=["2024", "abc"])) == []
        by_participant = await run(
            client, headers, DECLARATIONS, participantId=[str(world.participants["moved_out"]), "junk"]
        )
        assert node_ids(by_participant) == names(world, "moved_out_retained_2", "moved_out_started")
        by_partner = await run(client, headers, DECLARATIONS, deliveryPartnerId=[str(world.delivery_partners["Alpha"])])
        assert node_ids(by_partner) == names(world, "moved_out_retained_2", "moved_in_retained_3")
        since = await run(client, headers, DECLARATIONS, updatedSince="2024-01-10T12:00:00Z")
        assert node_ids(since) == names(world, "moved_in_retained_1", "moved_in_retained_3")
        assert since["data"]["declarations"]["totalCount"] == 2

    async def test_an_invalid_updated_since_is_a_bad_user_input_error_with_the_published_text(
        self, world_db, world, client
    ):
        result = await run(client, await alpha(world_db.db.engine), DECLARATIONS, updatedSince="last week")
        assert result["data"] is None
        assert [(e["message"], e["extensions"]["code"]) for e in result["errors"]] == [
            ("The filter '#/updated_since' must be a valid ISO 8601 date", "BAD_USER_INPUT")
        ]

    async def test_an_analyst_sees_everything_or_what_one_provider_sees(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, role=Role.ANALYST))
        everything = await run(client, headers, DECLARATIONS)
        assert set(node_ids(everything)) == {str(i) for i in world.declarations.values()}
        as_alpha = await run(client, headers, DECLARATIONS, leadProviderId=str(world.lead_providers["Alpha"]))
        assert node_ids(as_alpha) == names(world, *ALPHA_VIEW)


class TestDeclaration:
    async def test_another_providers_visible_declaration_is_returned(self, world_db, world, client):
        result = await run(
            client, await alpha(world_db.db.engine), DECLARATION, id=str(world.declarations["moved_in_started"])
        )
        assert "errors" not in result
        assert result["data"]["declaration"]["leadProviderName"] == "Beta Training"
        assert result["data"]["declaration"]["upliftPaid"] is True

    async def test_a_declaration_the_provider_may_not_see_is_null_with_not_found(self, world_db, world, client):
        headers = await alpha(world_db.db.engine)
        for key in (
            str(world.declarations["moved_in_retained_2"]),
            str(world.declarations["beta_only_started"]),
            "junk",
            str(uuid.uuid4()),
        ):
            result = await run(client, headers, DECLARATION, id=key)
            assert result["data"] == {"declaration": None}
            assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
            assert result["errors"][0]["path"] == ["declaration"]


class TestDeclarationRelations:
    async def test_an_own_declaration_reaches_its_statements_partner_and_provider(self, world_db, world, client):
        result = await run(
            client,
            await alpha(world_db.db.engine),
            DECLARATION_RELATIONS,
            id=str(world.declarations["moved_out_retained_2"]),
        )
        assert "errors" not in result
        assert result["data"]["declaration"] == {
            "participant": {"id": str(world.participants["moved_out"])},
            "mentor": None,
            "statement": {"id": str(world.statements["alpha_january"]), "month": "January"},
            "clawbackStatement": {"id": str(world.statements["alpha_april"]), "month": "April"},
            "deliveryPartner": {"id": str(world.delivery_partners["Alpha"]), "name": "Alpha Partner"},
            "leadProvider": {"id": str(world.lead_providers["Alpha"]), "name": "Alpha Training"},
        }

    async def test_another_providers_statement_stays_hidden_behind_its_declaration(self, world_db, world, client):
        result = await run(
            client,
            await alpha(world_db.db.engine),
            DECLARATION_RELATIONS,
            id=str(world.declarations["moved_in_started"]),
        )
        assert "errors" not in result
        assert result["data"]["declaration"] == {
            "participant": {"id": str(world.participants["moved_in"])},
            # Alpha never trained the mentor Beta's declaration names.
            "mentor": None,
            "statement": None,
            "clawbackStatement": None,
            "deliveryPartner": {"id": str(world.delivery_partners["Beta"]), "name": "Beta Partner"},
            "leadProvider": {"id": str(world.lead_providers["Beta"]), "name": "Beta Training"},
        }

    async def test_an_analyst_reaches_the_mentor_and_the_other_providers_statement(self, world_db, world, client):
        headers = bearer(await issue_token(world_db.db.engine, role=Role.ANALYST))
        result = await run(client, headers, DECLARATION_RELATIONS, id=str(world.declarations["moved_in_started"]))
        assert "errors" not in result
        assert result["data"]["declaration"]["mentor"] == {"id": str(world.participants["mentor"])}
        assert result["data"]["declaration"]["statement"] == {
            "id": str(world.statements["beta_january"]),
            "month": "January",
        }


def rest_to_graphql(attributes: dict) -> dict:
    """A REST declaration's attributes as the GraphQL type spells them (camelCase keys, enum member names)."""
    enums = {
        "declaration_type": vocabulary.DeclarationType,
        "course_identifier": vocabulary.CourseIdentifier,
        "state": vocabulary.DeclarationState,
        "evidence_held": vocabulary.EvidenceHeld,
        "ineligible_for_funding_reason": vocabulary.IneligibleForFundingReason,
    }
    converted = {}
    for key, value in attributes.items():
        if key in enums and value is not None:
            value = enums[key](value).name
        head, *tail = key.split("_")
        converted[head + "".join(word.title() for word in tail)] = value
    return converted


def as_rest_renders_it(node: dict) -> dict:
    shown = {key: value for key, value in node.items() if key != "hasPassed"}
    if shown.get("state") == "INELIGIBLE":
        shown["state"] = "VOIDED"
    return shown


class TestSameRecordsAsRest:
    async def test_graphql_and_rest_return_the_same_declarations_for_each_caller(self, readonly_db, client):
        async with read_connection(readonly_db.engine) as conn:
            names = [name for (name,) in await conn.execute(select(LeadProvider.__table__.c.name))]
        tokens = [await issue_token(readonly_db.engine, role=Role.ANALYST)]
        tokens += [await issue_token(readonly_db.engine, lead_provider=name) for name in names]
        for token in tokens:
            rest = await all_pages(client, "/api/v3/participant-declarations", bearer(token))
            graph = await run(client, bearer(token), DECLARATIONS, first=3000)
            assert "errors" not in graph
            expected = [{"id": item["id"], **rest_to_graphql(item["attributes"])} for item in rest]
            # The first 3000 in the same order (both are oldest first), and the same total. GraphQL keeps what the
            # newer REST shape leaves out: has_passed, and the ineligible state (REST answers voided for it).
            graph_nodes = [as_rest_renders_it(edge["node"]) for edge in graph["data"]["declarations"]["edges"]]
            assert graph_nodes == expected[:3000]
            assert graph["data"]["declarations"]["totalCount"] == len(expected)


class TestStatementCount:
    async def test_a_page_of_declarations_with_relations_costs_the_same_statements_small_or_large(
        self, readonly_db, client
    ):
        headers = bearer(await issue_token(readonly_db.engine, role=Role.ANALYST))
        counts = []
        for first in (10, 1000):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, RELATIONS_PAGE, first=first)
            assert "errors" not in result
            nodes = [edge["node"] for edge in result["data"]["declarations"]["edges"]]
            assert len(nodes) == first
            # Each page reaches every relation at least once; otherwise the small page would skip a level.
            assert all(
                any(node[name] for node in nodes) for name in ("statement", "participant", "mentor", "deliveryPartner")
            )
            counts.append(counter.count)
        assert counts[0] == counts[1]
