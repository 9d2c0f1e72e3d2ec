"""createPartnership and updatePartnership: the REST checks and messages, as payload errors."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import Partnership
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST, cohort_id, lead_provider_id
from tests.database_state import database_state
from tests.graphql.support import headers_for
from tests.write_action_cases import (
    AMBITION_PARTNER,
    AMBITION_RECENT_PARTNER,
    CREATE_PARTNERSHIP_REFUSALS,
    UPDATE_PARTNERSHIP_REFUSALS,
)

CREATE = """
mutation Create($input: CreatePartnershipInput!) {
  createPartnership(input: $input) {
    partnership { id cohort schoolId deliveryPartnerId deliveryPartnerName participantsCurrentlyTraining school { urn expressionOfInterest } }
    errors { attribute message }
  }
}
"""

UPDATE = """
mutation Update($input: UpdatePartnershipInput!) {
  updatePartnership(input: $input) {
    partnership { id deliveryPartnerId deliveryPartnerName deliveryPartner { name } }
    errors { attribute message }
  }
}
"""

_partnerships = Partnership.__table__


async def _headers(db, lead_provider: str | None = AMBITION, server_date: str | None = None) -> dict[str, str]:
    return {**await headers_for(db, lead_provider), **({"X-With-Server-Date": server_date} if server_date else {})}


def _create_input(attributes: dict) -> dict:
    names = {"cohort": "cohort", "school_id": "schoolId", "delivery_partner_id": "deliveryPartnerId"}
    return {names[name]: value for name, value in attributes.items()}


async def _post(client, query: str, variables: dict, headers: dict) -> dict:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _home_partnership_2025(db):
    async with read_connection(db.engine) as conn:
        stmt = select(_partnerships).where(
            _partnerships.c.school_id == case_id(Case.AMBITION_HOME_SCHOOL),
            _partnerships.c.lead_provider_id == lead_provider_id(AMBITION),
            _partnerships.c.cohort_id == cohort_id(2025),
        )
        return (await conn.execute(stmt)).one()


class TestCreatePartnership:
    @pytest.mark.parametrize("refusal", CREATE_PARTNERSHIP_REFUSALS, ids=str)
    async def test_each_refusal_is_reported_with_the_published_message_and_changes_nothing(
        self, readonly_db, client, refusal
    ):
        headers = await _headers(readonly_db, server_date=refusal.server_date)
        before = await database_state(readonly_db.engine)

        result = await _post(client, CREATE, {"input": _create_input(refusal.attributes)}, headers)

        assert "errors" not in result
        assert result["data"]["createPartnership"] == {
            "partnership": None,
            "errors": [{"attribute": attribute, "message": message} for attribute, message in refusal.errors],
        }
        assert await database_state(readonly_db.engine) == before

    async def test_creates_the_partnership_and_answers_with_it(self, sandbox_db, client):
        variables = {
            "input": {
                "cohort": "2025",
                "schoolId": str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)),
                "deliveryPartnerId": str(AMBITION_PARTNER),
            }
        }

        result = await _post(client, CREATE, variables, await _headers(sandbox_db))

        assert "errors" not in result
        payload = result["data"]["createPartnership"]
        assert payload["errors"] == []
        partnership = payload["partnership"]
        assert partnership["cohort"] == "2025"
        assert partnership["schoolId"] == str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST))
        assert partnership["deliveryPartnerName"] == "Midlands Inspire Teaching Hub"
        assert partnership["participantsCurrentlyTraining"] == 1
        assert partnership["school"] == {"urn": "100005", "expressionOfInterest": True}
        async with read_connection(sandbox_db.engine) as conn:
            stored = (
                await conn.execute(select(_partnerships).where(_partnerships.c.id == uuid.UUID(partnership["id"])))
            ).one()
        assert (stored.lead_provider_id, stored.delivery_partner_id) == (lead_provider_id(AMBITION), AMBITION_PARTNER)

    async def test_an_analyst_gets_a_forbidden_error_and_nothing_changes(self, readonly_db, client):
        variables = {
            "input": {
                "cohort": "2025",
                "schoolId": str(case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL)),
                "deliveryPartnerId": str(AMBITION_PARTNER),
            }
        }
        before = await database_state(readonly_db.engine)

        result = await _post(client, CREATE, variables, await _headers(readonly_db, None))

        assert result["data"] is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]
        assert await database_state(readonly_db.engine) == before


class TestUpdatePartnership:
    @pytest.mark.parametrize("refusal", UPDATE_PARTNERSHIP_REFUSALS, ids=str)
    async def test_each_refusal_is_reported_with_the_published_message(self, readonly_db, client, refusal):
        partnership = await _home_partnership_2025(readonly_db)
        variables = {
            "input": {
                "id": str(partnership.id),
                **({"deliveryPartnerId": v} if (v := refusal.attributes.get("delivery_partner_id")) else {}),
            }
        }

        result = await _post(client, UPDATE, variables, await _headers(readonly_db))

        assert result["data"]["updatePartnership"] == {
            "partnership": None,
            "errors": [{"attribute": attribute, "message": message} for attribute, message in refusal.errors],
        }
        assert (await _home_partnership_2025(readonly_db)).delivery_partner_id == AMBITION_PARTNER

    async def test_gives_the_partnership_its_new_delivery_partner(self, sandbox_db, client):
        partnership = await _home_partnership_2025(sandbox_db)
        variables = {"input": {"id": str(partnership.id), "deliveryPartnerId": str(AMBITION_RECENT_PARTNER)}}

        result = await _post(client, UPDATE, variables, await _headers(sandbox_db))

        assert result["data"]["updatePartnership"] == {
            "partnership": {
                "id": str(partnership.id),
                "deliveryPartnerId": str(AMBITION_RECENT_PARTNER),
                "deliveryPartnerName": "Thames Valley Teaching School Hub",
                "deliveryPartner": {"name": "Thames Valley Teaching School Hub"},
            },
            "errors": [],
        }
        assert (await _home_partnership_2025(sandbox_db)).delivery_partner_id == AMBITION_RECENT_PARTNER

    async def test_another_providers_partnership_is_not_found(self, readonly_db, client):
        async with read_connection(readonly_db.engine) as conn:
            stmt = select(_partnerships.c.id).where(_partnerships.c.lead_provider_id == lead_provider_id(TEACH_FIRST))
            theirs = (await conn.execute(stmt)).first()[0]
        variables = {"input": {"id": str(theirs), "deliveryPartnerId": str(AMBITION_RECENT_PARTNER)}}

        result = await _post(client, UPDATE, variables, await _headers(readonly_db))

        assert result["data"] is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["NOT_FOUND"]

    async def test_an_analyst_gets_a_forbidden_error(self, readonly_db, client):
        partnership = await _home_partnership_2025(readonly_db)
        variables = {"input": {"id": str(partnership.id), "deliveryPartnerId": str(AMBITION_RECENT_PARTNER)}}

        result = await _post(client, UPDATE, variables, await _headers(readonly_db, None))

        assert result["data"] is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]
        assert (await _home_partnership_2025(readonly_db)).delivery_partner_id == AMBITION_PARTNER
