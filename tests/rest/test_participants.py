"""GET /api/v3/participants/ecf[/{id}] and /api/v3/participants[/{id}] over the sandbox, checked against the database."""

from __future__ import annotations

import pytest

from gateway.sandbox.cases import WITHDRAWN, Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES, TEACH_FIRST
from gateway.vocabulary import Role
from tests.participants_in_database import ids
from tests.rest.support import NOT_FOUND, headers_for, list_all
from tests.support import bearer, issue_token

ECF = "/api/v3/participants/ecf"
NEWER = "/api/v3/participants"
PATHS = (ECF, NEWER)


class TestIndex:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize("lead_provider", LEAD_PROVIDER_NAMES)
    async def test_lists_the_providers_participants_as_the_database_holds_them(
        self, readonly_db, client, sandbox, path, lead_provider
    ):
        data = await list_all(client, path, await headers_for(readonly_db, lead_provider))

        expected = sandbox.participants_seen_by(sandbox.lead_provider_id(lead_provider), newer=path == NEWER)
        assert expected, "every sandbox provider trains participants"
        assert data == expected

    async def test_both_paths_serve_the_same_records(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        ecf, newer = await list_all(client, ECF, headers), await list_all(client, NEWER, headers)
        assert ids(ecf) == ids(newer)
        for old, new in zip(ecf, newer, strict=True):
            for a, b in zip(old["attributes"]["ecf_enrolments"], new["attributes"]["ecf_enrolments"], strict=True):
                if a["participant_status"] == "withdrawn":  # the newer document spells a school's withdrawal "left"
                    a = {**a, "participant_status": "left"}
                assert {k: v for k, v in a.items() if k in b} == {k: v for k, v in b.items() if k in a}

    async def test_only_the_newer_shape_has_working_pattern_and_induction_dates(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        ecf, newer = await list_all(client, ECF, headers), await list_all(client, NEWER, headers)
        newer_only = {"working_pattern", "overall_induction_start_date", "most_recent_induction_period_end_date"}
        old, new = ecf[0]["attributes"]["ecf_enrolments"][0], newer[0]["attributes"]["ecf_enrolments"][0]
        assert set(new) - set(old) == newer_only
        assert set(old) - set(new) == {"teacher_reference_number_validated"}

    async def test_an_ect_who_became_a_mentor_is_one_item_with_two_enrolments(self, readonly_db, client):
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION))
        (item,) = [i for i in data if i["id"] == str(case_id(Case.ECT_THEN_MENTOR))]
        assert [(e["participant_type"], e["cohort"]) for e in item["attributes"]["ecf_enrolments"]] == [
            ("ect", "2021"),
            ("mentor", "2024"),
        ]

    async def test_a_withdrawal_is_an_object_with_its_reason_and_date(self, readonly_db, client):
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION))
        (item,) = [i for i in data if i["id"] == str(case_id(WITHDRAWN[next(iter(WITHDRAWN))]))]
        (enrolment,) = item["attributes"]["ecf_enrolments"]
        assert enrolment["withdrawal"] == {"reason": "left-teaching-profession", "date": "2025-02-10T11:00:00Z"}
        # The provider withdrew the participant; the school reported nothing, so it is still active there.
        assert (enrolment["training_status"], enrolment["participant_status"], enrolment["deferral"]) == (
            "withdrawn",
            "active",
            None,
        )


class TestFilters:
    async def test_an_unknown_training_status_gives_an_empty_list(self, readonly_db, client):
        assert (
            await list_all(
                client, ECF, await headers_for(readonly_db, AMBITION), **{"filter[training_status]": "paused"}
            )
            == []
        )

    async def test_training_status_keeps_participants_with_an_enrolment_in_it(self, readonly_db, client, sandbox):
        data = await list_all(
            client, ECF, await headers_for(readonly_db, AMBITION), **{"filter[training_status]": "deferred"}
        )
        expected = [
            r
            for r in sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION))
            if any(e["training_status"] == "deferred" for e in r["attributes"]["ecf_enrolments"])
        ]
        assert data == expected and data

    async def test_cohort_keeps_participants_enrolled_in_it(self, readonly_db, client, sandbox):
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION), **{"filter[cohort]": "2021,2022"})
        expected = [
            r
            for r in sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION))
            if any(e["cohort"] in ("2021", "2022") for e in r["attributes"]["ecf_enrolments"])
        ]
        assert data == expected and data

    async def test_a_cohort_that_is_not_a_year_matches_nothing(self, readonly_db, client):
        assert (
            await list_all(client, ECF, await headers_for(readonly_db, AMBITION), **{"filter[cohort]": "latest"}) == []
        )

    async def test_from_participant_id_finds_the_participant_it_was_merged_into(self, readonly_db, client):
        params = {"filter[from_participant_id]": str(case_id(Case.MERGED_AWAY_PARTICIPANT))}
        data = await list_all(client, NEWER, await headers_for(readonly_db, AMBITION), **params)
        assert ids(data) == [str(case_id(Case.ECT_WITH_ID_CHANGE))]
        assert data[0]["attributes"]["participant_id_changes"] == [
            {
                "from_participant_id": str(case_id(Case.MERGED_AWAY_PARTICIPANT)),
                "to_participant_id": str(case_id(Case.ECT_WITH_ID_CHANGE)),
                "changed_at": "2025-01-10T14:00:00Z",
            }
        ]

    async def test_updated_since_keeps_participants_changed_at_or_after_it(self, readonly_db, client, sandbox):
        everyone = sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION))
        since = sorted(r["attributes"]["updated_at"] for r in everyone)[len(everyone) // 2]
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION), **{"filter[updated_since]": since})
        assert data == [r for r in everyone if r["attributes"]["updated_at"] >= since]

    async def test_an_invalid_updated_since_is_a_bad_request(self, readonly_db, client):
        response = await client.get(
            ECF, params={"filter[updated_since]": "last tuesday"}, headers=await headers_for(readonly_db, AMBITION)
        )
        assert response.status_code == 400
        assert response.json() == {
            "errors": [{"title": "Bad request", "detail": "The filter '#/updated_since' must be a valid ISO 8601 date"}]
        }


class TestSortAndPages:
    async def test_sort_by_updated_at_descending_then_id(self, readonly_db, client, sandbox):
        data = await list_all(client, ECF, await headers_for(readonly_db, AMBITION), sort="-updated_at")
        expected = sorted(sandbox.participants_seen_by(sandbox.lead_provider_id(AMBITION)), key=lambda r: r["id"])
        expected.sort(
            key=lambda r: r["attributes"]["updated_at"], reverse=True
        )  # stable: ids stay ascending within a tie
        assert ids(data) == ids(expected)

    async def test_an_unknown_sort_key_keeps_the_default_order(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        assert ids(await list_all(client, ECF, headers, sort="full_name")) == ids(await list_all(client, ECF, headers))

    async def test_pages_cover_the_list_once_in_order(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        everything = ids(await list_all(client, ECF, headers))
        paged, number = [], 1
        while page := await list_all(client, ECF, headers, **{"page[per_page]": "9", "page[page]": str(number)}):
            assert len(page) <= 9
            paged.extend(ids(page))
            number += 1
        assert paged == everything

    async def test_a_page_below_one_is_a_bad_request(self, readonly_db, client):
        response = await client.get(ECF, params={"page[page]": "0"}, headers=await headers_for(readonly_db, AMBITION))
        assert response.status_code == 400


class TestShow:
    @pytest.mark.parametrize("path", PATHS)
    @pytest.mark.parametrize(
        "case", [Case.ECT_THEN_MENTOR, Case.ECT_WITH_ID_CHANGE, Case.LEAVING_ECT, Case.TRANSFER_NEW_PROVIDER]
    )
    async def test_shows_the_participant_as_the_database_holds_it(self, readonly_db, client, sandbox, path, case):
        response = await client.get(f"{path}/{case_id(case)}", headers=await headers_for(readonly_db, AMBITION))
        assert response.status_code == 200
        expected = sandbox.participant(case_id(case), sandbox.lead_provider_id(AMBITION), newer=path == NEWER)
        assert response.json() == {"data": expected}

    async def test_each_provider_reads_its_own_enrolment_of_a_shared_participant(self, readonly_db, client, sandbox):
        response = await client.get(
            f"{ECF}/{case_id(Case.TRANSFER_NEW_PROVIDER)}", headers=await headers_for(readonly_db, TEACH_FIRST)
        )
        assert response.json() == {
            "data": sandbox.participant(case_id(Case.TRANSFER_NEW_PROVIDER), sandbox.lead_provider_id(TEACH_FIRST))
        }
        assert response.json()["data"]["attributes"]["ecf_enrolments"][0]["school_urn"] == "100003"

    @pytest.mark.parametrize("path", PATHS)
    async def test_another_providers_participant_is_not_found(self, readonly_db, client, path):
        response = await client.get(
            f"{path}/{case_id(Case.ACTIVE_ECT)}", headers=await headers_for(readonly_db, TEACH_FIRST)
        )
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    async def test_a_malformed_id_is_not_found(self, readonly_db, client):
        response = await client.get(f"{ECF}/not-a-uuid", headers=await headers_for(readonly_db, AMBITION))
        assert (response.status_code, response.json()) == (404, NOT_FOUND)

    async def test_an_analyst_reads_any_providers_participant(self, readonly_db, client):
        headers = bearer(await issue_token(readonly_db.engine, role=Role.ANALYST))
        response = await client.get(f"{ECF}/{case_id(Case.ACTIVE_ECT)}", headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["id"] == str(case_id(Case.ACTIVE_ECT))


class TestRoutes:
    @pytest.mark.parametrize("path", PATHS)
    async def test_the_transfers_list_is_not_taken_for_a_participant_id(self, readonly_db, client, path):
        response = await client.get(f"{path}/transfers", headers=await headers_for(readonly_db, AMBITION))
        assert response.status_code == 200
        assert {item["type"] for item in response.json()["data"]} == {"participant-transfer"}


class TestWhatTheNewerServiceAdds:
    """The working pattern and induction dates, in the sandbox as the newer path renders them."""

    async def _enrolments(self, readonly_db, client) -> list[dict]:
        found = []
        for name in LEAD_PROVIDER_NAMES:
            data = await list_all(client, NEWER, await headers_for(readonly_db, name))
            found += [e for item in data for e in item["attributes"]["ecf_enrolments"]]
        return found

    async def test_ects_have_each_working_pattern_and_none_and_mentors_none(self, readonly_db, client):
        enrolments = await self._enrolments(readonly_db, client)
        ects = [e for e in enrolments if e["participant_type"] == "ect"]
        assert {e["working_pattern"] for e in ects} == {"full_time", "part_time", None}
        assert {e["working_pattern"] for e in enrolments if e["participant_type"] == "mentor"} == {None}

    async def test_some_ects_have_induction_dates_some_none_and_some_an_ended_induction_period(
        self, readonly_db, client
    ):
        enrolments = await self._enrolments(readonly_db, client)
        ects = [e for e in enrolments if e["participant_type"] == "ect"]
        started = [e for e in ects if e["overall_induction_start_date"] is not None]
        assert started and len(started) < len(ects)
        ended = [e for e in ects if e["most_recent_induction_period_end_date"] is not None]
        assert ended and all(
            e["overall_induction_start_date"] < e["most_recent_induction_period_end_date"] for e in ended
        )
        mentors = [e for e in enrolments if e["participant_type"] == "mentor"]
        assert mentors and all(
            e["overall_induction_start_date"] is None and e["most_recent_induction_period_end_date"] is None
            for e in mentors
        )
