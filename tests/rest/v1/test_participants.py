"""GET /api/v1|v2/participants/ecf[/{id}] and the participant actions: one flat record per registration.

Both versions serve the same participant record, so each test runs on both.
"""

from __future__ import annotations

import uuid

import pytest

from gateway.domain.participants.actions import REASON_NOT_RECOGNISED
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, LEAD_PROVIDER_NAMES
from tests.participants_in_database import ParticipantsInDatabase, as_json
from tests.rest.support import headers_for
from tests.rest.v1.legacy import VERSIONS, action_body, contract_errors, list_all, path

PARTICIPANTS = "/participants/ecf"
CURRENT = ("active", "joining", "leaving")


CANDIDATE_SCHEDULES = ("ecf-extended-september", "ecf-standard-september", "ecf-extended-january")


def course(record: dict) -> str:
    return "ecf-induction" if record["attributes"]["participant_type"] == "ect" else "ecf-mentor"


def expected_records(sandbox: ParticipantsInDatabase, name: str) -> list[dict]:
    """The provider's registrations as v1 and v2 render them, worked out from the tables (in the list's order)."""
    found = []
    for participant in sandbox.participants_seen_by(sandbox.lead_provider_id(name)):
        row = sandbox.participants[uuid.UUID(participant["id"])]
        for enrolment in participant["attributes"]["ecf_enrolments"]:
            record = sandbox.records[uuid.UUID(enrolment["training_record_id"])]
            stamps = [row.updated_at, record.updated_at, *(p.updated_at for p in sandbox.periods_of_record(record.id))]
            trn = row.teacher_reference_number
            found.append(
                {
                    "id": participant["id"],
                    "type": "participant",
                    "attributes": {
                        "email": enrolment["email"],
                        "full_name": row.full_name,
                        "mentor_id": enrolment["mentor_id"],
                        "school_urn": enrolment["school_urn"],
                        "participant_type": enrolment["participant_type"],
                        "cohort": enrolment["cohort"],
                        "status": "active" if enrolment["participant_status"] in CURRENT else "withdrawn",
                        "teacher_reference_number": trn,
                        "teacher_reference_number_validated": None
                        if trn is None
                        else enrolment["teacher_reference_number_validated"],
                        "eligible_for_funding": enrolment["eligible_for_funding"],
                        "pupil_premium_uplift": enrolment["pupil_premium_uplift"],
                        "sparsity_uplift": enrolment["sparsity_uplift"],
                        "training_status": enrolment["training_status"],
                        "training_record_id": enrolment["training_record_id"],
                        "schedule_identifier": enrolment["schedule_identifier"],
                        "updated_at": as_json(max(stamps)),
                    },
                }
            )
    return found


@pytest.mark.parametrize("version", VERSIONS)
class TestList:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_each_provider_reads_one_record_per_registration(self, readonly_db, sandbox, client, version, name):
        listed = await list_all(client, path(version, PARTICIPANTS), await headers_for(readonly_db, name))
        assert listed == expected_records(sandbox, name)

    async def test_an_ect_who_is_also_a_mentor_is_two_records_and_shows_as_the_ect(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        participant_id = str(case_id(Case.ECT_THEN_MENTOR))
        listed = [r for r in await list_all(client, path(version, PARTICIPANTS), headers) if r["id"] == participant_id]
        assert [r["attributes"]["participant_type"] for r in listed] == ["ect", "mentor"]
        assert len({r["attributes"]["training_record_id"] for r in listed}) == 2
        shown = await client.get(path(version, f"{PARTICIPANTS}/{participant_id}"), headers=headers)
        assert shown.json() == {"data": listed[0]}

    async def test_a_registration_the_school_ended_is_withdrawn_whatever_its_training_status(
        self, readonly_db, client, version
    ):
        headers = await headers_for(readonly_db, AMBITION)
        by_case = {}
        for case in (Case.LEFT_ECT, Case.ACTIVE_ECT, Case.JOINING_ECT, Case.LEAVING_ECT, Case.DEFERRED_BEREAVEMENT):
            shown = await client.get(path(version, f"{PARTICIPANTS}/{case_id(case)}"), headers=headers)
            by_case[case] = shown.json()["data"]["attributes"]
        assert by_case[Case.LEFT_ECT]["status"] == "withdrawn"
        assert by_case[Case.LEFT_ECT]["training_status"] == "active"
        assert {by_case[c]["status"] for c in (Case.ACTIVE_ECT, Case.JOINING_ECT, Case.LEAVING_ECT)} == {"active"}

    async def test_pages_count_registrations(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        whole = await list_all(client, path(version, PARTICIPANTS), headers)
        size = 7
        paged = []
        for number in range(1, len(whole) // size + 2):
            response = await client.get(
                path(version, PARTICIPANTS),
                params={"page[page]": str(number), "page[per_page]": str(size)},
                headers=headers,
            )
            page = response.json()["data"]
            assert len(page) == min(size, max(0, len(whole) - (number - 1) * size))
            paged.extend(page)
        assert paged == whole
        assert len(whole) > len({r["id"] for r in whole})

    async def test_the_cohort_filter_picks_registrations_not_people(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        listed = await list_all(client, path(version, PARTICIPANTS), headers, **{"filter[cohort]": "2024"})
        assert listed and {r["attributes"]["cohort"] for r in listed} == {"2024"}
        ect_then_mentor = [r for r in listed if r["id"] == str(case_id(Case.ECT_THEN_MENTOR))]
        assert [r["attributes"]["participant_type"] for r in ect_then_mentor] == ["mentor"]

    async def test_updated_since_keeps_registrations_changed_since(self, readonly_db, client, version):
        headers = await headers_for(readonly_db, AMBITION)
        whole = await list_all(client, path(version, PARTICIPANTS), headers)
        moment = sorted(r["attributes"]["updated_at"] for r in whole)[len(whole) // 2]
        since = await list_all(client, path(version, PARTICIPANTS), headers, **{"filter[updated_since]": moment})
        assert since == [r for r in whole if r["attributes"]["updated_at"] >= moment]


@pytest.mark.parametrize("version", VERSIONS)
class TestActions:
    @pytest.mark.parametrize("name", LEAD_PROVIDER_NAMES)
    async def test_every_action_answers_the_registration_it_acted_on(self, sandbox_db, client, version, name):
        headers = await headers_for(sandbox_db, name)
        listed = await list_all(client, path(version, PARTICIPANTS), headers)
        active = [r for r in listed if r["attributes"]["training_status"] == "active"]
        assert len(active) >= 2, f"{name} has too few active registrations in the sandbox"
        first, second = active[0], active[1]

        async def act(record, action, **attributes):
            url = path(version, f"{PARTICIPANTS}/{record['id']}/{action}")
            body = action_body(f"participant-{action}", course_identifier=course(record), **attributes)
            response = await client.put(url, json=body, headers=headers)
            assert response.status_code == 200, response.text
            assert (
                contract_errors(
                    version, path(version, f"{PARTICIPANTS}/{{id}}/{action}"), response.json(), method="put"
                )
                == []
            )
            answered = response.json()["data"]
            assert answered["attributes"]["training_record_id"] == record["attributes"]["training_record_id"]
            return answered["attributes"]

        assert (await act(first, "withdraw", reason="other"))["training_status"] == "withdrawn"
        assert (await act(first, "resume"))["training_status"] == "active"
        assert (await act(second, "defer", reason="career-break"))["training_status"] == "deferred"
        await act(second, "resume")
        # A schedule change is refused while declarations hold the old schedule: change the first registration
        # (and schedule) the rules allow, after each refusal was a 422 with its published text.
        for record in active[1:20]:
            for schedule in CANDIDATE_SCHEDULES:
                if schedule == record["attributes"]["schedule_identifier"]:
                    continue
                body = action_body(
                    "participant-change-schedule",
                    course_identifier=course(record),
                    schedule_identifier=schedule,
                    cohort=record["attributes"]["cohort"],
                )
                url = path(version, f"{PARTICIPANTS}/{record['id']}/change-schedule")
                response = await client.put(url, json=body, headers=headers)
                assert response.status_code in (200, 422), response.text
                if response.status_code == 200:
                    template = path(version, f"{PARTICIPANTS}/{{id}}/change-schedule")
                    assert contract_errors(version, template, response.json(), method="put") == []
                    assert response.json()["data"]["attributes"]["schedule_identifier"] == schedule
                    return
        pytest.fail(f"no registration of {name} could change schedule")

    async def test_an_action_on_the_mentor_registration_answers_the_mentor_record(self, sandbox_db, client, version):
        headers = await headers_for(sandbox_db, AMBITION)
        url = path(version, f"{PARTICIPANTS}/{case_id(Case.ECT_THEN_MENTOR)}/withdraw")
        body = action_body("participant-withdraw", course_identifier="ecf-mentor", reason="other")
        response = await client.put(url, json=body, headers=headers)
        assert response.status_code == 200
        assert response.json()["data"]["attributes"]["participant_type"] == "mentor"
        assert response.json()["data"]["attributes"]["training_status"] == "withdrawn"

    async def test_an_unknown_participant_is_the_versions_404(self, sandbox_db, client, version):
        headers = await headers_for(sandbox_db, AMBITION)
        url = path(version, f"{PARTICIPANTS}/{case_id(Case.MERGED_AWAY_PARTICIPANT)}/defer")
        body = action_body("participant-defer", course_identifier="ecf-induction", reason="other")
        response = await client.put(url, json=body, headers=headers)
        assert (response.status_code, response.json()) == (404, {"error": "Resource not found"})

    async def test_a_reason_only_v3_publishes_is_refused_with_the_v3_text(self, sandbox_db, client, version):
        headers = await headers_for(sandbox_db, AMBITION)
        url = path(version, f"{PARTICIPANTS}/{case_id(Case.ACTIVE_ECT)}/withdraw")
        body = action_body("participant-withdraw", course_identifier="ecf-induction", reason="changed-lead-provider")
        response = await client.put(url, json=body, headers=headers)
        assert (response.status_code, response.json()) == (
            422,
            {"errors": [{"title": "reason", "detail": REASON_NOT_RECOGNISED}]},
        )


class TestV1PathsWithoutEcf:
    async def test_the_older_action_paths_act_the_same(self, sandbox_db, client):
        headers = await headers_for(sandbox_db, AMBITION)
        body = action_body("participant-withdraw", course_identifier="ecf-induction", reason="moved-school")
        response = await client.put(
            f"/api/v1/participants/{case_id(Case.ACTIVE_ECT)}/withdraw", json=body, headers=headers
        )
        assert response.status_code == 200
        assert contract_errors("v1", "/api/v1/participants/{id}/withdraw", response.json(), method="put") == []
        shown = await client.get(f"/api/v1/participants/ecf/{case_id(Case.ACTIVE_ECT)}", headers=headers)
        assert shown.json()["data"]["attributes"]["training_status"] == "withdrawn"

    async def test_v2_does_not_publish_them(self, readonly_db, client):
        headers = await headers_for(readonly_db, AMBITION)
        body = action_body("participant-withdraw", course_identifier="ecf-induction", reason="other")
        response = await client.put(
            f"/api/v2/participants/{case_id(Case.ACTIVE_ECT)}/withdraw", json=body, headers=headers
        )
        assert (response.status_code, response.json()) == (404, {"error": "Resource not found"})
