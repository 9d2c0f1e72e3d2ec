"""The `participantTransfers` and `participantTransfer` root fields and the Transfer type's relations, over the sandbox."""

from __future__ import annotations

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import (
    AMBITION,
    BEST_PRACTICE_NETWORK,
    LEAD_PROVIDER_NAMES,
    TEACH_FIRST,
)
from tests.graphql.support import headers_for, nodes, run
from tests.support import StatementCounter

SIDE = "schoolUrn providerName date"
FIELDS = f"""
    id updatedAt
    transfers {{ trainingRecordId transferType status createdAt leaving {{ {SIDE} }} joining {{ {SIDE} }} }}
"""

PARTICIPANT_TRANSFERS = f"""
query Transfers($first: Int, $updatedSince: String, $leadProviderId: ID) {{
    participantTransfers(first: $first, updatedSince: $updatedSince, leadProviderId: $leadProviderId) {{
        totalCount
        edges {{ node {{ {FIELDS} }} }}
    }}
}}
"""

PARTICIPANT_TRANSFER = f"""
query Transfer($id: ID!) {{
    participantTransfer(id: $id) {{ {FIELDS} }}
}}
"""

RELATIONS = """
query Relations($first: Int) {
    participantTransfers(first: $first) {
        edges {
            node {
                id
                participant { id }
                transfers {
                    leaving { schoolUrn providerName school { urn } provider { name } }
                    joining { schoolUrn providerName school { urn } provider { name } }
                }
            }
        }
    }
}
"""


def as_graphql(resource: dict) -> dict:
    """A participant-transfer as the REST API renders it, spelled as the GraphQL types spell it."""

    def side(s: dict | None) -> dict | None:
        return None if s is None else {"schoolUrn": s["school_urn"], "providerName": s["provider"], "date": s["date"]}

    return {
        "id": resource["id"],
        "updatedAt": resource["attributes"]["updated_at"],
        "transfers": [
            {
                "trainingRecordId": t["training_record_id"],
                "transferType": t["transfer_type"].upper(),
                "status": t["status"].upper(),
                "createdAt": t["created_at"],
                "leaving": side(t["leaving"]),
                "joining": side(t["joining"]),
            }
            for t in resource["attributes"]["transfers"]
        ],
    }


class TestParticipantTransfers:
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_exactly_what_the_database_holds_for_each_provider(
        self, readonly_db, client, sandbox, lead_provider
    ):
        result = await run(client, await headers_for(readonly_db, lead_provider), PARTICIPANT_TRANSFERS, first=3000)
        expected = sandbox.transfers_seen_by(sandbox.lead_provider_id(lead_provider))
        assert nodes(result) == [as_graphql(r) for r in expected]
        assert result["data"]["participantTransfers"]["totalCount"] == len(expected)

    async def test_returns_the_same_records_as_the_rest_api(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        rest = (
            await client.get("/api/v3/participants/ecf/transfers", params={"page[per_page]": "3000"}, headers=headers)
        ).json()["data"]
        assert nodes(await run(client, headers, PARTICIPANT_TRANSFERS, first=3000)) == [as_graphql(r) for r in rest]

    async def test_an_analyst_naming_a_provider_sees_what_it_sees(self, readonly_db, client, sandbox):
        provider_id = sandbox.lead_provider_id(TEACH_FIRST)
        result = await run(
            client,
            await headers_for(readonly_db, None),
            PARTICIPANT_TRANSFERS,
            first=3000,
            leadProviderId=str(provider_id),
        )
        assert nodes(result) == [as_graphql(r) for r in sandbox.transfers_seen_by(provider_id)]

    async def test_the_sides_lead_to_the_school_and_provider_they_name(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, TEACH_FIRST), RELATIONS, first=3000)
        for node in nodes(result):
            assert node["participant"] == {"id": node["id"]}
            for transfer in node["transfers"]:
                for side in (transfer["leaving"], transfer["joining"]):
                    if side is None:
                        continue
                    assert side["school"] is None or side["school"]["urn"] == side["schoolUrn"]
                    assert (side["provider"] and side["provider"]["name"]) == side["providerName"]

    async def test_the_sides_of_a_new_provider_transfer_lead_to_both_providers(self, readonly_db, client):
        result = await run(client, await headers_for(readonly_db, AMBITION), RELATIONS, first=3000)
        (node,) = [n for n in nodes(result) if n["id"] == str(case_id(Case.TRANSFER_NEW_PROVIDER))]
        (transfer,) = node["transfers"]
        assert (transfer["leaving"]["provider"], transfer["joining"]["provider"]) == (
            {"name": AMBITION},
            {"name": TEACH_FIRST},
        )
        assert (transfer["leaving"]["school"], transfer["joining"]["school"]) == ({"urn": "100001"}, {"urn": "100003"})

    async def test_relations_cost_the_same_statements_small_or_large(self, readonly_db, client):
        headers = await headers_for(readonly_db, None)
        counts = {}
        for first in (5, 300):
            with StatementCounter(readonly_db.engine) as counter:
                result = await run(client, headers, RELATIONS, first=first)
            counts[first] = (counter.count, len(nodes(result)))
        assert counts[300][1] > 50  # the school moves of scale 1, every provider's: ten times the small page
        assert counts[5][0] == counts[300][0]


class TestParticipantTransfer:
    async def test_reads_one_participants_transfers(self, readonly_db, client, sandbox):
        result = await run(
            client,
            await headers_for(readonly_db, TEACH_FIRST),
            PARTICIPANT_TRANSFER,
            id=str(case_id(Case.TRANSFER_NEW_PROVIDER)),
        )
        assert "errors" not in result, result
        expected = sandbox.participant_transfers(
            case_id(Case.TRANSFER_NEW_PROVIDER), sandbox.lead_provider_id(TEACH_FIRST)
        )
        assert result["data"]["participantTransfer"] == as_graphql(expected)
        assert result["data"]["participantTransfer"]["transfers"][0]["transferType"] == "NEW_PROVIDER"

    @pytest.mark.parametrize(
        "case, lead_provider",
        [(Case.TRANSFER_NEW_SCHOOL, TEACH_FIRST), (Case.TRANSFER_NEW_PROVIDER, BEST_PRACTICE_NETWORK)],
    )
    async def test_a_transfer_the_provider_is_on_no_side_of_is_null_and_not_found(
        self, readonly_db, client, case, lead_provider
    ):
        result = await run(
            client, await headers_for(readonly_db, lead_provider), PARTICIPANT_TRANSFER, id=str(case_id(case))
        )
        assert result["data"] == {"participantTransfer": None}
        assert [e["extensions"]["code"] for e in result["errors"]] == ["NOT_FOUND"]
