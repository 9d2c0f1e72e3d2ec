"""Declarations through v1 and v2: one row whichever version wrote it, read back through every face, and an exact
resubmission through another version is the same declaration."""

from __future__ import annotations

import pytest

from gateway.db.tables import Declaration
from tests.declaration_scenarios import count_rows, make_trainee
from tests.graphql.support import run
from tests.rest.support import headers_for
from tests.rest.v1.legacy import VERSIONS, contract_errors, list_all, path

DECLARATIONS = "/participant-declarations"
GRAPHQL_DECLARATION = """
query Declaration($id: ID!) {
    declaration(id: $id) { id participantId declarationType declarationDate courseIdentifier state }
}
"""


def _body(attributes: dict) -> dict:
    return {"data": {"type": "participant-declaration", "attributes": attributes}}


class TestJourney:
    async def test_a_declaration_made_through_v1_reads_back_through_v2_v3_and_graphql(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        headers = await headers_for(sandbox_db, "Ambition Institute")
        made = await client.post(
            path("v1", DECLARATIONS),
            json=_body(ect.declaration("started", "2025-10-01T10:00:00Z", "other")),
            headers=headers,
        )
        assert made.status_code == 200, made.text
        assert contract_errors("v1", path("v1", DECLARATIONS), made.json(), method="post") == []
        v1 = made.json()["data"]
        assert v1["attributes"]["state"] == "eligible"
        assert (v1["attributes"]["eligible_for_payment"], v1["attributes"]["voided"]) == (True, False)

        v2 = (await client.get(path("v2", f"{DECLARATIONS}/{v1['id']}"), headers=headers)).json()["data"]
        v1_without_flags = {k: v for k, v in v1["attributes"].items() if k not in ("eligible_for_payment", "voided")}
        assert v2 == {**v1, "attributes": v1_without_flags}
        v3 = (await client.get(f"/api/v3{DECLARATIONS}/{v1['id']}", headers=headers)).json()["data"]
        # v3 answers the newer document's shape, which has no has_passed; every attribute they share agrees.
        shared = {k: v for k, v in v1_without_flags.items() if k != "has_passed"}
        assert {k: v3["attributes"][k] for k in shared} == shared
        assert v3["attributes"]["lead_provider_name"] == "Ambition Institute"
        graphql = await run(client, headers, GRAPHQL_DECLARATION, id=v1["id"])
        assert graphql["data"]["declaration"] == {
            "id": v1["id"],
            "participantId": str(ect.participant_id),
            "declarationType": "STARTED",  # GraphQL enums
            "declarationDate": "2025-10-01T10:00:00Z",
            "courseIdentifier": "ECF_INDUCTION",
            "state": "ELIGIBLE",
        }

        voided = await client.put(path("v2", f"{DECLARATIONS}/{v1['id']}/void"), headers=headers)
        assert voided.status_code == 200
        assert contract_errors("v2", path("v2", f"{DECLARATIONS}/{{id}}/void"), voided.json(), method="put") == []
        again = (await client.get(path("v1", f"{DECLARATIONS}/{v1['id']}"), headers=headers)).json()["data"]
        assert again["attributes"]["state"] == "voided"
        assert (again["attributes"]["eligible_for_payment"], again["attributes"]["voided"]) == (False, True)

    @pytest.mark.parametrize(("first", "then"), [("v1", "v2"), ("v2", "v3"), ("v3", "v1")])
    async def test_an_exact_resubmission_through_another_version_is_the_same_declaration(
        self, sandbox_db, client, first, then
    ):
        ect = await make_trainee(sandbox_db.engine)
        headers = await headers_for(sandbox_db, "Ambition Institute")
        body = _body(ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        made = await client.post(f"/api/{first}{DECLARATIONS}", json=body, headers=headers)
        assert made.status_code == 200, made.text
        rows = await count_rows(sandbox_db.engine, Declaration.__table__)

        resubmitted = await client.post(f"/api/{then}{DECLARATIONS}", json=body, headers=headers)

        assert resubmitted.status_code == 200, resubmitted.text
        assert resubmitted.json()["data"]["id"] == made.json()["data"]["id"]
        assert await count_rows(sandbox_db.engine, Declaration.__table__) == rows
        shown = await client.get(f"/api/{then}{DECLARATIONS}/{made.json()['data']['id']}", headers=headers)
        assert resubmitted.json() == shown.json()

    async def test_a_different_date_through_another_version_is_refused_with_the_v3_text(self, sandbox_db, client):
        ect = await make_trainee(sandbox_db.engine)
        headers = await headers_for(sandbox_db, "Ambition Institute")
        made = await client.post(
            path("v1", DECLARATIONS),
            json=_body(ect.declaration("started", "2025-10-01T10:00:00Z", "other")),
            headers=headers,
        )
        assert made.status_code == 200
        refused = await client.post(
            path("v2", DECLARATIONS),
            json=_body(ect.declaration("started", "2025-10-02T10:00:00Z", "other")),
            headers=headers,
        )
        assert refused.status_code == 422
        assert refused.json() == {
            "errors": [
                {
                    "title": "declaration_type",
                    "detail": "A declaration has already been submitted that will be, or has been, paid for this event.",
                }
            ]
        }


@pytest.mark.parametrize("version", VERSIONS)
class TestList:
    async def test_the_list_is_the_v3_list_in_the_versions_shape(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, "Ambition Institute")
        legacy = await list_all(client, path(version, DECLARATIONS), headers)
        v3 = await list_all(client, f"/api/v3{DECLARATIONS}", headers)
        assert [d["id"] for d in legacy] == [d["id"] for d in v3]
        for old, new in zip(legacy, v3, strict=True):
            # The newer v3 document has no ineligible state: such a declaration answers voided there.
            state = old["attributes"]["state"]
            assert new["attributes"]["state"] == ("voided" if state == "ineligible" else state)
            assert old["attributes"]["declaration_date"] == new["attributes"]["declaration_date"]

    async def test_the_participant_filter_narrows_the_list(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, "Ambition Institute")
        whole = await list_all(client, path(version, DECLARATIONS), headers)
        participant_id = whole[0]["attributes"]["participant_id"]
        narrowed = await list_all(
            client, path(version, DECLARATIONS), headers, **{"filter[participant_id]": participant_id}
        )
        assert narrowed == [d for d in whole if d["attributes"]["participant_id"] == participant_id]


class TestV1Flags:
    async def test_they_follow_the_state(self, readonly_db, client):
        headers = await headers_for(readonly_db, "Ambition Institute")
        for declaration in await list_all(client, path("v1", DECLARATIONS), headers):
            attributes = declaration["attributes"]
            assert attributes["eligible_for_payment"] is (attributes["state"] in ("eligible", "payable"))
            assert attributes["voided"] is (attributes["state"] == "voided")
