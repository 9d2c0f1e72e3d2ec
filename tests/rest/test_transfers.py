"""GET /api/v3/participants/ecf/transfers and /api/v3/participants/ecf/{id}/transfers (and without /ecf), against the database."""

from __future__ import annotations

import re
import uuid

import pytest

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, BEST_PRACTICE_NETWORK, LEAD_PROVIDER_NAMES, TEACH_FIRST
from tests.participants_in_database import ids
from tests.rest.support import NOT_FOUND, headers_for, list_all

PARTICIPANTS = ("/api/v3/participants/ecf", "/api/v3/participants")


async def _show(client, participants: str, case: Case, headers):
    return await client.get(f"{participants}/{case_id(case)}/transfers", headers=headers)


class TestIndex:
    @pytest.mark.parametrize("participants", PARTICIPANTS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_one_item_per_participant_with_the_transfers_the_provider_is_on_a_side_of(
        self, readonly_db, client, sandbox, participants, lead_provider
    ):
        data = await list_all(client, f"{participants}/transfers", await headers_for(readonly_db, lead_provider))
        newer = participants == PARTICIPANTS[1]
        assert data == sandbox.transfers_seen_by(sandbox.lead_provider_id(lead_provider), newer=newer)

    @pytest.mark.parametrize(
        ("participants", "pattern"),
        [(PARTICIPANTS[0], r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z"), (PARTICIPANTS[1], r"\d{4}-\d{2}-\d{2}")],
        ids=["ecf: a date-time", "newer: a date"],
    )
    async def test_a_transfers_created_at_is_spelled_as_its_family_documents_it(
        self, readonly_db, client, participants, pattern
    ):
        data = await list_all(client, f"{participants}/transfers", await headers_for(readonly_db, TEACH_FIRST))
        stamps = [t["created_at"] for item in data for t in item["attributes"]["transfers"]]
        assert stamps and all(re.fullmatch(pattern, s) for s in stamps), stamps[:5]

    @pytest.mark.parametrize("participants", PARTICIPANTS)
    @pytest.mark.parametrize("key", ["created_at", "updated_at"])
    @pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
    async def test_the_documented_sort_keys_order_the_list(
        self, readonly_db, client, sandbox, participants, key, descending
    ):
        headers = await headers_for(readonly_db, TEACH_FIRST)
        data = await list_all(client, f"{participants}/transfers", headers, sort=f"{'-' if descending else ''}{key}")
        expected = sorted(sandbox.transfers_seen_by(sandbox.lead_provider_id(TEACH_FIRST)), key=lambda r: r["id"])
        value = {
            "created_at": lambda r: sandbox.participants[uuid.UUID(r["id"])].created_at.isoformat(),
            "updated_at": lambda r: r["attributes"]["updated_at"],
        }[key]
        expected.sort(key=value, reverse=descending)  # stable: ids stay ascending within a tie
        assert ids(data) == ids(expected)
        assert ids(data) != ids(sorted(expected, key=value, reverse=not descending))

    async def test_updated_since_keeps_participants_changed_at_or_after_it(self, readonly_db, client, sandbox):
        everyone = sandbox.transfers_seen_by(sandbox.lead_provider_id(TEACH_FIRST))
        since = sorted(r["attributes"]["updated_at"] for r in everyone)[len(everyone) // 2]
        data = await list_all(
            client,
            f"{PARTICIPANTS[0]}/transfers",
            await headers_for(readonly_db, TEACH_FIRST),
            **{"filter[updated_since]": since},
        )
        assert data == [r for r in everyone if r["attributes"]["updated_at"] >= since]

    async def test_an_invalid_updated_since_is_a_bad_request(self, readonly_db, client):
        response = await client.get(
            f"{PARTICIPANTS[0]}/transfers",
            params={"filter[updated_since]": "2025-13-45"},
            headers=await headers_for(readonly_db, AMBITION),
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
        }

    async def test_pages_cover_the_list_once_in_order(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        everything = ids(await list_all(client, f"{PARTICIPANTS[1]}/transfers", headers))
        paged, number = [], 1
        while page := await list_all(
            client, f"{PARTICIPANTS[1]}/transfers", headers, **{"page[per_page]": "6", "page[page]": str(number)}
        ):
            paged.extend(ids(page))
            number += 1
        assert paged == everything


class TestShow:
    @pytest.mark.parametrize("participants", PARTICIPANTS)
    async def test_a_new_provider_transfer_as_the_leaving_provider_reads_it(self, readonly_db, client, participants):
        response = await _show(
            client, participants, Case.TRANSFER_NEW_PROVIDER, await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 200
        (transfer,) = response.json()["data"]["attributes"]["transfers"]
        assert {k: transfer[k] for k in ("transfer_type", "status", "leaving", "joining")} == {
            "transfer_type": "new_provider",
            "status": "complete",
            "leaving": {"school_urn": "100001", "provider": AMBITION, "date": "2025-01-17"},
            "joining": {"school_urn": "100003", "provider": TEACH_FIRST, "date": "2025-01-20"},
        }

    @pytest.mark.parametrize(
        "case, lead_provider",
        [
            (Case.TRANSFER_NEW_SCHOOL, AMBITION),
            (Case.TRANSFER_NEW_PROVIDER, AMBITION),
            (Case.TRANSFER_NEW_PROVIDER, TEACH_FIRST),
            (Case.TRANSFER_UNKNOWN, AMBITION),
            (Case.TRANSFER_INCOMPLETE, AMBITION),
        ],
    )
    async def test_shows_the_transfers_as_the_database_holds_them(
        self, readonly_db, client, sandbox, case, lead_provider
    ):
        response = await _show(client, PARTICIPANTS[0], case, await headers_for(readonly_db, lead_provider))
        assert response.json() == {
            "data": sandbox.participant_transfers(case_id(case), sandbox.lead_provider_id(lead_provider))
        }

    async def test_an_unknown_transfer_has_no_joining_side(self, readonly_db, client):
        response = await _show(client, PARTICIPANTS[0], Case.TRANSFER_UNKNOWN, await headers_for(readonly_db, AMBITION))
        (transfer,) = response.json()["data"]["attributes"]["transfers"]
        assert (transfer["transfer_type"], transfer["status"], transfer["joining"]) == ("unknown", "complete", None)

    async def test_a_transfer_still_to_come_is_incomplete(self, readonly_db, client):
        response = await _show(
            client, PARTICIPANTS[0], Case.TRANSFER_INCOMPLETE, await headers_for(readonly_db, AMBITION)
        )
        (transfer,) = response.json()["data"]["attributes"]["transfers"]
        assert (transfer["transfer_type"], transfer["status"]) == ("new_school", "incomplete")

    @pytest.mark.parametrize(
        "case, lead_provider",
        [
            (Case.TRANSFER_NEW_SCHOOL, TEACH_FIRST),
            (Case.TRANSFER_NEW_PROVIDER, BEST_PRACTICE_NETWORK),
            (Case.ACTIVE_ECT, AMBITION),
        ],
    )
    async def test_a_participant_with_no_transfer_the_provider_is_on_a_side_of_is_not_found(
        self, readonly_db, client, case, lead_provider
    ):
        response = await _show(client, PARTICIPANTS[0], case, await headers_for(readonly_db, lead_provider))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)
