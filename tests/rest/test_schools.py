"""GET /api/v3/schools/ecf[/{id}] and /api/v3/schools[/{id}] over the sandbox."""

from __future__ import annotations

import uuid

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, BEST_PRACTICE_NETWORK, COHORT_YEARS, LEAD_PROVIDER_NAMES, TEACH_FIRST
from tests.rest.support import NOT_FOUND, headers_for, list_all
from tests.schools_in_database import expected_schools, lead_provider_ids

PATHS = ("/api/v3/schools/ecf", "/api/v3/schools")
MISSING_COHORT = {
    "errors": [{"title": "Bad parameter", "detail": "The filter '#/cohort' must be included in your request"}]
}


def _by_id(data: list[dict]) -> dict[str, dict]:
    assert all(item["type"] == "school" for item in data)
    return {item["id"]: item["attributes"] for item in data}


class TestIndex:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_what_the_database_holds_for_each_provider_in_every_cohort(
        self, readonly_db, client, path, lead_provider
    ):
        headers = await headers_for(readonly_db, lead_provider)
        provider_id = (await lead_provider_ids(readonly_db.engine))[lead_provider]
        for year in COHORT_YEARS:
            data = await list_all(client, path, headers, **{"filter[cohort]": str(year)})
            assert len(data) == len(_by_id(data)), "a school is listed once per cohort"
            assert _by_id(data) == await expected_schools(readonly_db.engine, year, provider_id)

    @pytest.mark.parametrize("path", PATHS)
    async def test_an_analyst_sees_every_listed_school_with_interest_in_any_provider(self, readonly_db, client, path):
        data = await list_all(client, path, await headers_for(readonly_db, None), **{"filter[cohort]": "2025"})
        assert _by_id(data) == await expected_schools(readonly_db.engine, 2025, None)

    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("params", [{}, {"filter[urn]": "100001"}, {"filter[cohort]": ""}])
    async def test_without_a_cohort_filter_is_the_published_400(self, readonly_db, client, path, params):
        response = await client.get(path, params=params, headers=await headers_for(readonly_db, AMBITION))
        assert response.status_code == 400
        assert response.json() == MISSING_COHORT

    @pytest.mark.parametrize("cohort", ["2030", "abc", "2024,2025"])
    async def test_an_unknown_cohort_lists_nothing(self, readonly_db, client, cohort):
        response = await client.get(
            PATHS[1], params={"filter[cohort]": cohort}, headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 200
        assert response.json() == {"data": []}

    async def test_ineligible_schools_are_listed_only_where_partnered(self, readonly_db, client):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        listed_2023 = _by_id(await list_all(client, PATHS[1], headers, **{"filter[cohort]": "2023"}))
        listed_2024 = _by_id(await list_all(client, PATHS[1], headers, **{"filter[cohort]": "2024"}))

        assert str(case_id(Case.INELIGIBLE_SCHOOL)) not in listed_2023
        assert str(case_id(Case.PARTNERED_INELIGIBLE_SCHOOL)) in listed_2023
        assert listed_2023[str(case_id(Case.PARTNERED_INELIGIBLE_SCHOOL))]["in_partnership"] is True
        assert str(case_id(Case.PARTNERED_INELIGIBLE_SCHOOL)) not in listed_2024

    async def test_the_urn_filter_keeps_that_school(self, readonly_db, client):
        data = await list_all(
            client,
            PATHS[0],
            await headers_for(readonly_db, AMBITION),
            **{"filter[cohort]": "2025", "filter[urn]": "100001"},
        )
        assert [(item["id"], item["attributes"]["urn"]) for item in data] == [
            (str(case_id(Case.AMBITION_HOME_SCHOOL)), "100001")
        ]

    async def test_updated_since_keeps_schools_updated_at_or_after_it(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        every = await list_all(client, PATHS[1], headers, **{"filter[cohort]": "2025"})
        moments = sorted({item["attributes"]["updated_at"] for item in every})
        since = moments[len(moments) // 2]

        data = await list_all(client, PATHS[1], headers, **{"filter[cohort]": "2025", "filter[updated_since]": since})

        assert {item["id"] for item in data} == {
            item["id"] for item in every if item["attributes"]["updated_at"] >= since
        }
        assert 0 < len(data) < len(every)

    async def test_an_invalid_updated_since_is_the_published_400(self, readonly_db, client):
        response = await client.get(
            PATHS[1],
            params={"filter[cohort]": "2025", "filter[updated_since]": "yesterday"},
            headers=await headers_for(readonly_db, AMBITION),
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
        }

    @pytest.mark.parametrize("sort", ["updated_at", "-updated_at"])
    async def test_sorts_by_updated_at_with_a_stable_tiebreak_on_id(self, readonly_db, client, sort):
        data = await list_all(
            client, PATHS[0], await headers_for(readonly_db, AMBITION), **{"filter[cohort]": "2025", "sort": sort}
        )
        keys = [(item["attributes"]["updated_at"], item["id"]) for item in data]
        if sort.startswith("-"):
            assert [k[0] for k in keys] == sorted((k[0] for k in keys), reverse=True)
        else:
            assert keys == sorted(keys)

    async def test_pages_cover_the_list_once_and_a_page_past_the_end_is_empty(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        every = await list_all(client, PATHS[1], headers, **{"filter[cohort]": "2025"})
        paged, number = [], 1
        while True:
            response = await client.get(
                PATHS[1],
                params={"filter[cohort]": "2025", "page[per_page]": "7", "page[page]": str(number)},
                headers=headers,
            )
            page = response.json()["data"]
            if not page:
                assert response.json() == {"data": []}
                break
            paged.extend(page)
            number += 1
        assert [item["id"] for item in paged] == [item["id"] for item in every]
        assert number == -(-len(every) // 7) + 1

    async def test_induction_tutor_fields_are_null_unless_the_school_expressed_interest(self, readonly_db, client):
        data = await list_all(
            client, PATHS[1], await headers_for(readonly_db, BEST_PRACTICE_NETWORK), **{"filter[cohort]": "2025"}
        )
        listed = _by_id(data)
        not_interested = [a for a in listed.values() if not a["expression_of_interest"]]

        assert not_interested
        assert all(a["induction_tutor_name"] is None and a["induction_tutor_email"] is None for a in not_interested)
        unpartnered = listed[str(case_id(Case.UNPARTNERED_ELIGIBLE_SCHOOL))]
        assert (unpartnered["expression_of_interest"], unpartnered["induction_tutor_name"]) == (False, None)
        interested = listed[str(case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST))]
        assert interested["expression_of_interest"] is True
        assert interested["in_partnership"] is False
        assert interested["induction_tutor_email"] is not None

    async def test_the_school_partnered_by_two_providers_is_in_partnership_for_both(self, readonly_db, client):
        school = str(case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS))
        for lead_provider in (AMBITION, TEACH_FIRST, BEST_PRACTICE_NETWORK):
            listed = _by_id(
                await list_all(
                    client, PATHS[1], await headers_for(readonly_db, lead_provider), **{"filter[cohort]": "2024"}
                )
            )
            assert listed[school]["in_partnership"] is True
            assert listed[school]["expression_of_interest"] is (lead_provider != BEST_PRACTICE_NETWORK)


class TestShow:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", [AMBITION, BEST_PRACTICE_NETWORK, None])
    async def test_shows_the_school_as_listed_in_the_cohort(self, readonly_db, client, path, lead_provider):
        headers = await headers_for(readonly_db, lead_provider)
        provider_id = None if lead_provider is None else (await lead_provider_ids(readonly_db.engine))[lead_provider]
        expected = await expected_schools(readonly_db.engine, 2025, provider_id)
        for case in (
            Case.AMBITION_HOME_SCHOOL,
            Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST,
            Case.SCHOOL_WITHOUT_INDUCTION_TUTOR,
        ):
            school = str(case_id(case))
            response = await client.get(f"{path}/{school}", params={"filter[cohort]": "2025"}, headers=headers)
            assert response.status_code == 200
            assert response.json() == {"data": {"id": school, "type": "school", "attributes": expected[school]}}

    @pytest.mark.parametrize("path", PATHS)
    async def test_without_a_cohort_filter_is_the_published_400(self, readonly_db, client, path):
        response = await client.get(
            f"{path}/{case_id(Case.AMBITION_HOME_SCHOOL)}", headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 400
        assert response.json() == MISSING_COHORT

    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize(
        ("school", "cohort"),
        [
            (str(case_id(Case.INELIGIBLE_SCHOOL)), "2025"),
            (str(case_id(Case.PARTNERED_INELIGIBLE_SCHOOL)), "2024"),
            (str(case_id(Case.AMBITION_HOME_SCHOOL)), "2030"),
            (str(uuid.uuid4()), "2025"),
            ("not-an-id", "2025"),
        ],
    )
    async def test_a_school_not_listed_in_the_cohort_is_the_published_404(
        self, readonly_db, client, path, school, cohort
    ):
        response = await client.get(
            f"{path}/{school}", params={"filter[cohort]": cohort}, headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 404
        assert response.json() == NOT_FOUND
