"""The v2 declaration record: v1's without its deprecated flags, with every state the live v2 serializer sends."""

from __future__ import annotations

from gateway.sandbox.cases import DECLARATION_IN_STATE, case_id
from gateway.vocabulary import DeclarationState
from tests.rest.support import headers_for
from tests.rest.v1.legacy import PUBLISHED, contract_errors

SHOW = "/api/v2/participant-declarations/{id}"
ATTRIBUTES = {"participant_id", "declaration_type", "declaration_date", "course_identifier", "state", "updated_at"}


class TestShape:
    async def test_every_state_is_sent_as_v1_sends_it_clawbacks_included(self, readonly_db, client):
        headers = await headers_for(readonly_db, "Ambition Institute")
        for state, case in DECLARATION_IN_STATE.items():
            v2 = await client.get(SHOW.format(id=case_id(case)), headers=headers)
            v1 = await client.get(f"/api/v1/participant-declarations/{case_id(case)}", headers=headers)
            assert v2.status_code == 200, state
            attributes = v2.json()["data"]["attributes"]
            assert attributes["state"] == v1.json()["data"]["attributes"]["state"] == state.value
            assert set(attributes) == ATTRIBUTES | {"has_passed"}
            assert attributes["has_passed"] is None
            assert contract_errors("v2", SHOW, v2.json()) == []

    async def test_the_clawback_states_are_the_one_difference_from_the_published_document(self, readonly_db, client):
        headers = await headers_for(readonly_db, "Ambition Institute")
        case = DECLARATION_IN_STATE[DeclarationState.CLAWED_BACK]
        response = await client.get(SHOW.format(id=case_id(case)), headers=headers)
        (error,) = PUBLISHED["v2"].errors(SHOW, response.json())
        assert error.startswith("data/attributes/state: 'clawed-back' is not one of")
