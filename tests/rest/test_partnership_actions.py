"""POST /api/v3/partnerships[/ecf] and PUT /api/v3/partnerships[/ecf]/{id}: refusals, effects, shapes, permissions."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from gateway.db.engine import read_connection
from gateway.db.tables import Partnership, TrainingPeriod, TrainingRecord
from gateway.rest.openapi import served_document
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST, cohort_id, delivery_partner_id, lead_provider_id
from tests.conftest import IS_POSTGRES
from tests.database_state import database_state
from tests.rest.openapi_validation import ResponseValidator
from tests.rest.support import BAD_BODY, NOT_FOUND, headers_for
from tests.write_action_cases import (
    AMBITION_PARTNER,
    AMBITION_RECENT_PARTNER,
    CREATE_PARTNERSHIP_REFUSALS,
    UNKNOWN_ID,
    UPDATE_PARTNERSHIP_REFUSALS,
    Refusal,
)

ECF = "/api/v3/partnerships/ecf"
NEWER = "/api/v3/partnerships"
PATHS = (ECF, NEWER)
ALREADY_PARTNERED = {
    "errors": [
        {
            "title": "school_id",
            "detail": "You are already in a confirmed partnership with this school for the entered cohort.",
        }
    ]
}
TEACH_FIRST_PARTNER = delivery_partner_id("Coastal Schools Teaching Hub")

_partnerships = Partnership.__table__
_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__

VALIDATOR = ResponseValidator(served_document())

postgres_only = pytest.mark.skipif(
    not IS_POSTGRES, reason="concurrent writers only race on PostgreSQL (SQLite serialises them)"
)


async def _headers(db, lead_provider: str | None = AMBITION, server_date: str | None = None) -> dict[str, str]:
    return await headers_for(db, lead_provider, server_date=server_date)


def _create_body(attributes: dict) -> dict:
    return {"data": {"type": "ecf-partnership", "attributes": attributes}}


def _update_body(attributes: dict) -> dict:
    return {"data": {"type": "ecf-partnership-update", "attributes": attributes}}


def _new(school: Case = Case.UNPARTNERED_ELIGIBLE_SCHOOL, partner=AMBITION_PARTNER, cohort: str = "2025") -> dict:
    return _create_body({"cohort": cohort, "school_id": str(case_id(school)), "delivery_partner_id": str(partner)})


def _errors(refusal: Refusal) -> dict:
    return {"errors": [{"title": attribute, "detail": message} for attribute, message in refusal.errors]}


async def _home_partnership_2025(db):
    async with read_connection(db.engine) as conn:
        stmt = select(_partnerships).where(
            _partnerships.c.school_id == case_id(Case.AMBITION_HOME_SCHOOL),
            _partnerships.c.lead_provider_id == lead_provider_id(AMBITION),
            _partnerships.c.cohort_id == cohort_id(2025),
        )
        return (await conn.execute(stmt)).one()


async def _partnerships_of(db, school: Case) -> list:
    async with read_connection(db.engine) as conn:
        stmt = select(_partnerships).where(
            _partnerships.c.school_id == case_id(school), _partnerships.c.cohort_id == cohort_id(2025)
        )
        return (await conn.execute(stmt)).all()


class TestCreate:
    @pytest.mark.parametrize("refusal", CREATE_PARTNERSHIP_REFUSALS, ids=str)
    async def test_each_refusal_is_a_422_with_the_published_message_and_changes_nothing(
        self, readonly_db, client, refusal
    ):
        headers = await _headers(readonly_db, server_date=refusal.server_date)
        before = await database_state(readonly_db.engine)

        response = await client.post(ECF, json=_create_body(refusal.attributes), headers=headers)

        assert response.status_code == 422, response.text
        assert response.json() == _errors(refusal)
        assert await database_state(readonly_db.engine) == before

    async def test_every_attribute_reports_its_first_failure_in_the_published_order(self, readonly_db, client):
        response = await client.post(NEWER, json=_create_body({"cohort": 2023}), headers=await _headers(readonly_db))
        assert response.status_code == 422
        assert response.json() == {
            "errors": [
                {"title": "cohort", "detail": "You cannot create this partnership as the cohort is closed."},
                {"title": "school_id", "detail": "Enter a '#/school_id'."},
                {"title": "delivery_partner_id", "detail": "Enter a '#/delivery_partner_id'."},
            ]
        }

    @pytest.mark.parametrize("path", PATHS)
    async def test_answers_200_with_the_partnership_as_its_get_renders_it(self, sandbox_db, client, path):
        headers = await _headers(sandbox_db)

        response = await client.post(path, json=_new(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST), headers=headers)

        assert response.status_code == 200, response.text
        created = response.json()["data"]
        assert created["type"] == "partnership"
        shown = await client.get(f"{path}/{created['id']}", headers=headers)
        assert shown.json()["data"] == created
        attributes = created["attributes"]
        assert (attributes["cohort"], attributes["school_id"], attributes["delivery_partner_id"]) == (
            "2025",
            str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)),
            str(AMBITION_PARTNER),
        )
        assert (
            attributes["participants_currently_training"] == 1
        )  # the ECT the school registered with an interest in Ambition
        assert ("status" in attributes) is (path == ECF)

    async def test_the_interested_participant_joins_the_new_partnership(self, sandbox_db, client):
        response = await client.post(
            ECF, json=_new(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST), headers=await _headers(sandbox_db)
        )

        async with read_connection(sandbox_db.engine) as conn:
            stmt = (
                select(_periods.c.partnership_id)
                .join(_records, _records.c.id == _periods.c.training_record_id)
                .where(_records.c.participant_id == case_id(Case.EXPRESSION_OF_INTEREST_ECT))
            )
            assert str((await conn.execute(stmt)).scalar_one()) == response.json()["data"]["id"]

    async def test_unknown_attributes_and_a_numeric_cohort_are_accepted(self, sandbox_db, client):
        body = _new()
        body["data"]["attributes"].update({"cohort": 2025, "colour": "blue"})
        response = await client.post(ECF, json=body, headers=await _headers(sandbox_db))
        assert response.status_code == 200, response.text
        assert response.json()["data"]["attributes"]["cohort"] == "2025"

    async def test_two_providers_partner_the_same_school_in_the_same_cohort(self, sandbox_db, client):
        ambition = await client.post(ECF, json=_new(), headers=await _headers(sandbox_db, AMBITION))
        teach_first = await client.post(
            ECF, json=_new(partner=TEACH_FIRST_PARTNER), headers=await _headers(sandbox_db, TEACH_FIRST)
        )
        assert (ambition.status_code, teach_first.status_code) == (200, 200)
        assert len(await _partnerships_of(sandbox_db, Case.UNPARTNERED_ELIGIBLE_SCHOOL)) == 2

    async def test_a_second_create_for_the_same_school_and_cohort_is_refused(self, sandbox_db, client):
        headers = await _headers(sandbox_db)
        assert (await client.post(ECF, json=_new(), headers=headers)).status_code == 200
        again = await client.post(NEWER, json=_new(partner=AMBITION_RECENT_PARTNER), headers=headers)
        assert again.status_code == 422
        assert again.json() == ALREADY_PARTNERED

    @postgres_only
    async def test_concurrent_creates_by_two_providers_for_one_school_both_succeed(self, sandbox_db, client):
        ambition, teach_first = await _headers(sandbox_db, AMBITION), await _headers(sandbox_db, TEACH_FIRST)
        responses = await asyncio.gather(
            client.post(ECF, json=_new(), headers=ambition),
            client.post(ECF, json=_new(partner=TEACH_FIRST_PARTNER), headers=teach_first),
        )
        assert [r.status_code for r in responses] == [200, 200]
        assert {
            row.lead_provider_id for row in await _partnerships_of(sandbox_db, Case.UNPARTNERED_ELIGIBLE_SCHOOL)
        } == {
            lead_provider_id(AMBITION),
            lead_provider_id(TEACH_FIRST),
        }

    @postgres_only
    async def test_concurrent_creates_by_one_provider_for_one_school_give_one_partnership_and_one_refusal(
        self, sandbox_db, client
    ):
        headers = await _headers(sandbox_db)
        responses = await asyncio.gather(
            client.post(ECF, json=_new(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST), headers=headers),
            client.post(
                ECF,
                json=_new(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST, partner=AMBITION_RECENT_PARTNER),
                headers=headers,
            ),
        )
        assert sorted(r.status_code for r in responses) == [200, 422]
        (refused,) = [r for r in responses if r.status_code == 422]
        assert refused.json() == ALREADY_PARTNERED
        (stored,) = await _partnerships_of(sandbox_db, Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)
        (created,) = [r for r in responses if r.status_code == 200]
        assert str(stored.id) == created.json()["data"]["id"]

    @pytest.mark.parametrize("body", [b"not json", b"[]", b'{"data": []}', b'{"data": {"type": "ecf-partnership"}}'])
    async def test_a_body_without_a_data_object_with_attributes_is_a_400(self, readonly_db, client, body):
        response = await client.post(ECF, content=body, headers=await _headers(readonly_db))
        assert response.status_code == 400
        assert response.json() == BAD_BODY

    async def test_a_body_over_one_megabyte_is_a_413(self, readonly_db, client):
        body = _new()
        body["data"]["attributes"]["padding"] = "x" * (1024 * 1024)
        response = await client.post(ECF, json=body, headers=await _headers(readonly_db))
        assert response.status_code == 413
        assert response.json() == {
            "errors": [{"title": "Payload too large", "detail": "The request body must not exceed 1 MB"}]
        }

    async def test_a_content_length_of_superscript_digits_is_ignored_not_a_500(self, readonly_db, client):
        headers = [*(await _headers(readonly_db)).items(), ("Content-Length", b"\xb2")]
        response = await client.post(ECF, content=b"[]", headers=headers)
        assert response.status_code == 400
        assert response.json() == BAD_BODY

    async def test_an_analyst_is_forbidden_and_nothing_changes(self, readonly_db, client):
        before = await database_state(readonly_db.engine)
        response = await client.post(ECF, json=_new(), headers=await _headers(readonly_db, None))
        assert response.status_code == 403
        assert await database_state(readonly_db.engine) == before


class TestUpdate:
    @pytest.mark.parametrize("refusal", UPDATE_PARTNERSHIP_REFUSALS, ids=str)
    async def test_each_refusal_is_a_422_with_the_published_message_and_changes_nothing(
        self, readonly_db, client, refusal
    ):
        partnership = await _home_partnership_2025(readonly_db)
        before = await database_state(readonly_db.engine)

        response = await client.put(
            f"{ECF}/{partnership.id}", json=_update_body(refusal.attributes), headers=await _headers(readonly_db)
        )

        assert response.status_code == 422, response.text
        assert response.json() == _errors(refusal)
        assert await database_state(readonly_db.engine) == before

    @pytest.mark.parametrize("path", PATHS)
    async def test_answers_200_with_the_partnership_under_its_new_delivery_partner(self, sandbox_db, client, path):
        partnership = await _home_partnership_2025(sandbox_db)
        headers = await _headers(sandbox_db)

        response = await client.put(
            f"{path}/{partnership.id}",
            json=_update_body({"delivery_partner_id": str(AMBITION_RECENT_PARTNER)}),
            headers=headers,
        )

        assert response.status_code == 200, response.text
        updated = response.json()["data"]
        assert updated == (await client.get(f"{path}/{partnership.id}", headers=headers)).json()["data"]
        assert updated["attributes"]["delivery_partner_id"] == str(AMBITION_RECENT_PARTNER)
        assert updated["attributes"]["delivery_partner_name"] == "Thames Valley Teaching School Hub"
        stored = await _home_partnership_2025(sandbox_db)
        assert stored.delivery_partner_id == AMBITION_RECENT_PARTNER
        assert stored.updated_at > partnership.updated_at

    @pytest.mark.parametrize("partnership", ["theirs", "unknown", "malformed"])
    async def test_a_partnership_that_is_not_the_providers_own_is_not_found(self, readonly_db, client, partnership):
        async with read_connection(readonly_db.engine) as conn:
            theirs = (
                await conn.execute(
                    select(_partnerships.c.id).where(_partnerships.c.lead_provider_id == lead_provider_id(TEACH_FIRST))
                )
            ).first()[0]
        partnership_id = {"theirs": theirs, "unknown": UNKNOWN_ID, "malformed": "not-an-id"}[partnership]
        body = _update_body({"delivery_partner_id": str(AMBITION_RECENT_PARTNER)})

        response = await client.put(f"{ECF}/{partnership_id}", json=body, headers=await _headers(readonly_db))

        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_an_analyst_is_forbidden(self, readonly_db, client):
        partnership = await _home_partnership_2025(readonly_db)
        body = _update_body({"delivery_partner_id": str(AMBITION_RECENT_PARTNER)})
        response = await client.put(f"{ECF}/{partnership.id}", json=body, headers=await _headers(readonly_db, None))
        assert response.status_code == 403
        assert (await _home_partnership_2025(readonly_db)).delivery_partner_id == AMBITION_PARTNER


class TestPublishedShapes:
    @pytest.mark.parametrize("path", PATHS)
    async def test_every_answer_validates_against_the_served_openapi_document(self, sandbox_db, client, path):
        headers = await _headers(sandbox_db)
        one = f"{path}/{{id}}"

        created = await client.post(path, json=_new(), headers=headers)
        refused = await client.post(path, json=_new(), headers=headers)
        bad = await client.post(path, content=b"{}", headers=headers)
        partnership_id = created.json()["data"]["id"]
        updated = await client.put(
            f"{path}/{partnership_id}",
            json=_update_body({"delivery_partner_id": str(AMBITION_RECENT_PARTNER)}),
            headers=headers,
        )
        missing = await client.put(
            f"{path}/{UNKNOWN_ID}", json=_update_body({"delivery_partner_id": str(AMBITION_PARTNER)}), headers=headers
        )

        assert [r.status_code for r in (created, refused, bad, updated, missing)] == [200, 422, 400, 200, 404]
        assert VALIDATOR.errors(path, created.json(), method="post") == []
        assert VALIDATOR.errors(path, refused.json(), method="post", status="422") == []
        assert VALIDATOR.errors(path, bad.json(), method="post", status="400") == []
        assert VALIDATOR.errors(one, updated.json(), method="put") == []
        assert VALIDATOR.errors(one, missing.json(), method="put", status="404") == []
