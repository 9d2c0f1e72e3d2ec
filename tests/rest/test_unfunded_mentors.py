"""GET /api/v3/unfunded-mentors/ecf[/{id}] and /api/v3/unfunded-mentors[/{id}] over the sandbox, against the database."""

from __future__ import annotations

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from tests.participants_in_database import ids
from tests.rest.support import NOT_FOUND, headers_for, list_all

PATHS = ("/api/v3/unfunded-mentors/ecf", "/api/v3/unfunded-mentors")


class TestIndex:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_the_providers_unfunded_mentors_as_the_database_holds_them(
        self, readonly_db, client, sandbox, path, lead_provider
    ):
        data = await list_all(client, path, await headers_for(readonly_db, lead_provider))
        assert data == sandbox.unfunded_mentors_seen_by(sandbox.lead_provider_id(lead_provider))

    async def test_sort_by_updated_at_descending_then_id(self, readonly_db, client, sandbox):
        data = await list_all(client, PATHS[0], await headers_for(readonly_db, TEACH_FIRST), sort="-updated_at")
        expected = sorted(
            sandbox.unfunded_mentors_seen_by(sandbox.lead_provider_id(TEACH_FIRST)), key=lambda r: r["id"]
        )
        expected.sort(key=lambda r: r["attributes"]["updated_at"], reverse=True)
        assert ids(data) == ids(expected)

    async def test_updated_since_keeps_mentors_changed_at_or_after_it(self, readonly_db, client, sandbox):
        everyone = sandbox.unfunded_mentors_seen_by(sandbox.lead_provider_id(TEACH_FIRST))
        since = sorted(r["attributes"]["updated_at"] for r in everyone)[len(everyone) // 2]
        data = await list_all(
            client, PATHS[1], await headers_for(readonly_db, TEACH_FIRST), **{"filter[updated_since]": since}
        )
        assert data == [r for r in everyone if r["attributes"]["updated_at"] >= since]

    async def test_an_invalid_updated_since_is_a_bad_request(self, readonly_db, client):
        response = await client.get(
            PATHS[0], params={"filter[updated_since]": "yesterday"}, headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
        }


class TestShow:
    @pytest.mark.parametrize("path", PATHS)
    async def test_shows_the_seeded_unfunded_mentor_to_the_provider_of_its_mentee(
        self, readonly_db, client, sandbox, path
    ):
        response = await client.get(
            f"{path}/{case_id(Case.UNFUNDED_MENTOR)}", headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 200
        assert response.json() == {"data": sandbox.unfunded_mentor(case_id(Case.UNFUNDED_MENTOR))}
        assert response.json()["data"]["attributes"]["full_name"] == "Daniel Okafor"

    @pytest.mark.parametrize(
        "case, lead_provider", [(Case.UNFUNDED_MENTOR, TEACH_FIRST), (Case.FUNDED_MENTOR, AMBITION)]
    )
    async def test_a_mentor_the_provider_trains_is_not_found(self, readonly_db, client, case, lead_provider):
        response = await client.get(
            f"{PATHS[0]}/{case_id(case)}", headers=await headers_for(readonly_db, lead_provider)
        )
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
