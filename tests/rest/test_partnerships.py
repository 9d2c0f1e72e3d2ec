"""GET /api/v3/partnerships/ecf[/{id}] (published shape) and /api/v3/partnerships[/{id}] (newer shape) over the sandbox."""

from __future__ import annotations

import uuid

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import (
    AMBITION,
    DELIVERY_PARTNER_OF_TWO_PROVIDERS,
    LEAD_PROVIDER_NAMES,
    TEACH_FIRST,
    delivery_partner_id,
)
from tests.rest.support import NOT_FOUND, headers_for, list_all
from tests.schools_in_database import expected_partnerships, lead_provider_ids

ECF = "/api/v3/partnerships/ecf"
NEWER = "/api/v3/partnerships"
PATHS = (ECF, NEWER)
UNCHALLENGED = {"status": "active", "challenged_reason": None, "challenged_at": None}


def _published(path: str, attributes: dict) -> dict:
    """The expected attributes on ``path``: the published shape keeps the challenge fields."""
    return {**attributes, **UNCHALLENGED} if path == ECF else attributes


def _by_id(data: list[dict]) -> dict[str, dict]:
    assert all(item["type"] == "partnership" for item in data)
    return {item["id"]: item["attributes"] for item in data}


async def _expected(db, lead_provider: str | None) -> dict[str, dict]:
    provider_id = None if lead_provider is None else (await lead_provider_ids(db.engine))[lead_provider]
    return await expected_partnerships(db.engine, provider_id)


class TestIndex:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_exactly_the_providers_own_partnerships_as_the_database_holds_them(
        self, readonly_db, client, path, lead_provider
    ):
        data = await list_all(client, path, await headers_for(readonly_db, lead_provider))

        expected = await _expected(readonly_db, lead_provider)
        assert expected, "every sandbox provider has partnerships"
        assert len(data) == len(expected)
        assert _by_id(data) == {id_: _published(path, attributes) for id_, attributes in expected.items()}

    async def test_the_published_shape_keeps_the_attribute_order_of_the_openapi(self, readonly_db, client):
        (first, *_) = await list_all(client, ECF, await headers_for(readonly_db, AMBITION))
        assert list(first["attributes"])[:8] == [
            "cohort", "urn", "school_id", "delivery_partner_id", "delivery_partner_name", "status", "challenged_reason", "challenged_at",
        ]  # fmt: skip

    @pytest.mark.parametrize("path", PATHS)
    async def test_an_analyst_lists_every_providers_partnerships(self, readonly_db, client, path):
        data = await list_all(client, path, await headers_for(readonly_db, None))
        expected = await _expected(readonly_db, None)
        assert _by_id(data) == {id_: _published(path, attributes) for id_, attributes in expected.items()}

    async def test_the_cohort_filter_takes_a_comma_list_of_years(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        expected = await _expected(readonly_db, AMBITION)

        for cohort, years in (("2024", {"2024"}), ("2023,2025", {"2023", "2025"}), ("abc", set())):
            data = await list_all(client, NEWER, headers, **{"filter[cohort]": cohort})
            assert set(_by_id(data)) == {id_ for id_, a in expected.items() if a["cohort"] in years}

    async def test_the_delivery_partner_filter_takes_a_comma_list_of_ids(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        expected = await _expected(readonly_db, AMBITION)
        partners = sorted({a["delivery_partner_id"] for a in expected.values()})
        assert len(partners) >= 2

        one = await list_all(client, NEWER, headers, **{"filter[delivery_partner_id]": partners[0]})
        two = await list_all(client, NEWER, headers, **{"filter[delivery_partner_id]": f"{partners[0]},{partners[1]}"})
        unknown = await list_all(client, NEWER, headers, **{"filter[delivery_partner_id]": f"{uuid.uuid4()},nonsense"})

        assert set(_by_id(one)) == {id_ for id_, a in expected.items() if a["delivery_partner_id"] == partners[0]}
        assert set(_by_id(two)) == {id_ for id_, a in expected.items() if a["delivery_partner_id"] in partners[:2]}
        assert unknown == []

    async def test_updated_since_keeps_partnerships_updated_at_or_after_it(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        expected = await _expected(readonly_db, AMBITION)
        moments = sorted({a["updated_at"] for a in expected.values()})
        since = moments[len(moments) // 2]

        data = await list_all(client, NEWER, headers, **{"filter[updated_since]": since})

        assert set(_by_id(data)) == {id_ for id_, a in expected.items() if a["updated_at"] >= since}
        assert 0 < len(data) < len(expected)

    @pytest.mark.parametrize(
        "sort", ["created_at", "-created_at", "updated_at", "-updated_at", "-updated_at,created_at", "nonsense"]
    )
    async def test_sorts_by_the_requested_keys(self, readonly_db, client, sort):
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION), sort=sort)
        first = sort.split(",")[0]
        key = first.lstrip("-") if first != "nonsense" else "created_at"  # unknown keys are ignored: the default order
        values = [item["attributes"][key] for item in data]
        assert values == sorted(values, reverse=first.startswith("-"))

    async def test_by_default_oldest_first_with_a_stable_tiebreak_on_id(self, readonly_db, client):
        data = await list_all(client, NEWER, await headers_for(readonly_db, None))
        keys = [(item["attributes"]["created_at"], item["id"]) for item in data]
        assert keys == sorted(keys)

    async def test_pages_cover_the_list_once_and_a_page_past_the_end_is_empty(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        every = await list_all(client, NEWER, headers)
        paged = []
        for number in range(1, len(every) // 3 + 2):
            response = await client.get(
                NEWER, params={"page[per_page]": "3", "page[page]": str(number)}, headers=headers
            )
            paged.extend(response.json()["data"])
        past_the_end = await client.get(NEWER, params={"page[per_page]": "3", "page[page]": "1000"}, headers=headers)

        assert [item["id"] for item in paged] == [item["id"] for item in every]
        assert past_the_end.status_code == 200
        assert past_the_end.json() == {"data": []}

    async def test_a_page_size_above_3000_is_read_as_3000(self, readonly_db, client):
        headers = await headers_for(readonly_db, None)
        response = await client.get(NEWER, params={"page[per_page]": "100000"}, headers=headers)
        assert response.status_code == 200
        assert len(response.json()["data"]) == min(3000, len(await _expected(readonly_db, None)))

    async def test_the_school_partnered_by_two_providers_shows_each_only_its_own_partnership(self, readonly_db, client):
        school = str(case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS))
        seen = {}
        for lead_provider in (AMBITION, TEACH_FIRST):
            data = await list_all(
                client, NEWER, await headers_for(readonly_db, lead_provider), **{"filter[cohort]": "2024"}
            )
            (seen[lead_provider],) = [item for item in data if item["attributes"]["school_id"] == school]

        assert seen[AMBITION]["id"] != seen[TEACH_FIRST]["id"]
        assert seen[AMBITION]["attributes"]["delivery_partner_id"] == str(
            delivery_partner_id(DELIVERY_PARTNER_OF_TWO_PROVIDERS)
        )
        assert (
            seen[TEACH_FIRST]["attributes"]["delivery_partner_id"]
            != seen[AMBITION]["attributes"]["delivery_partner_id"]
        )


class TestShow:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_shows_each_of_the_providers_partnerships(self, readonly_db, client, path, lead_provider):
        headers = await headers_for(readonly_db, lead_provider)
        for id_, attributes in list((await _expected(readonly_db, lead_provider)).items())[:5]:
            response = await client.get(f"{path}/{id_}", headers=headers)
            assert response.status_code == 200
            assert response.json() == {
                "data": {"id": id_, "type": "partnership", "attributes": _published(path, attributes)}
            }

    @pytest.mark.parametrize("path", PATHS)
    async def test_another_providers_partnership_is_the_published_404(self, readonly_db, client, path):
        headers = await headers_for(readonly_db, AMBITION)
        for id_ in list(await _expected(readonly_db, TEACH_FIRST))[:5]:
            response = await client.get(f"{path}/{id_}", headers=headers)
            assert response.status_code == 404
            assert response.json() == NOT_FOUND

    @pytest.mark.parametrize("missing", [str(uuid.uuid4()), "not-an-id"])
    async def test_a_missing_partnership_is_the_same_404(self, readonly_db, client, missing):
        response = await client.get(f"{NEWER}/{missing}", headers=await headers_for(readonly_db, AMBITION))
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    async def test_an_analyst_reads_any_providers_partnership(self, readonly_db, client):
        (id_, attributes), *_ = (await _expected(readonly_db, TEACH_FIRST)).items()
        response = await client.get(f"{ECF}/{id_}", headers=await headers_for(readonly_db, None))
        assert response.json()["data"]["attributes"] == {**attributes, **UNCHALLENGED}
