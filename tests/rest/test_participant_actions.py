"""PUT /api/v3/participants[/ecf]/{id}/withdraw|defer|resume|change-schedule: refusals, effects, shapes, permissions."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection
from gateway.db.tables import Participant, Partnership, TrainingPeriod, TrainingRecord
from gateway.rest.openapi import served_document
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, cohort_id, schedule_id
from gateway.vocabulary import ScheduleIdentifier
from tests.database_state import database_state
from tests.rest.openapi_validation import ResponseValidator
from tests.rest.support import BAD_BODY, NOT_FOUND, headers_for
from tests.write_action_cases import PARTICIPANT_REFUSALS, UNKNOWN_ID, ParticipantRefusal

ECF = "/api/v3/participants/ecf"
NEWER = "/api/v3/participants"

VALIDATOR = ResponseValidator(served_document())

_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__
_participants = Participant.__table__
_partnerships = Partnership.__table__


async def _headers(db, lead_provider: str | None = AMBITION) -> dict[str, str]:
    return await headers_for(db, lead_provider)


def _body(action: str, attributes: dict) -> dict:
    return {"data": {"type": f"participant-{action}", "attributes": attributes}}


async def _put(
    client,
    db,
    participant: Case | str,
    action: str,
    attributes: dict,
    *,
    path: str = ECF,
    lead_provider: str | None = AMBITION,
):
    participant_id = case_id(participant) if isinstance(participant, Case) else participant
    return await client.put(
        f"{path}/{participant_id}/{action}", json=_body(action, attributes), headers=await _headers(db, lead_provider)
    )


async def _periods_of(db, participant: Case) -> list:
    """The participant's training periods, oldest first."""
    async with read_connection(db.engine) as conn:
        stmt = (
            select(_periods)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .where(_records.c.participant_id == case_id(participant))
            .order_by(_periods.c.started_on, _periods.c.created_at)
        )
        return (await conn.execute(stmt)).all()


async def _updated_at(db, table, row_id):
    async with read_connection(db.engine) as conn:
        return (await conn.execute(select(table.c.updated_at).where(table.c.id == row_id))).scalar_one()


async def _shown(client, db, participant: Case, path: str = ECF) -> dict:
    response = await client.get(f"{path}/{case_id(participant)}", headers=await _headers(db))
    assert response.status_code == 200
    return response.json()["data"]


def _errors(refusal: ParticipantRefusal) -> dict:
    return {"errors": [{"title": attribute, "detail": message} for attribute, message in refusal.errors]}


class TestRefusals:
    @pytest.mark.parametrize("refusal", PARTICIPANT_REFUSALS, ids=str)
    async def test_each_refusal_is_a_422_with_the_published_message_and_changes_nothing(
        self, readonly_db, client, refusal
    ):
        before = await database_state(readonly_db.engine)

        response = await _put(client, readonly_db, refusal.participant, refusal.action, refusal.attributes)

        assert response.status_code == 422, response.text
        assert response.json() == _errors(refusal)
        assert await database_state(readonly_db.engine) == before

    @pytest.mark.parametrize("action", ["withdraw", "defer", "resume", "change-schedule"])
    @pytest.mark.parametrize(
        "participant",
        [
            Case.UNFUNDED_MENTOR,  # trained by Teach First only
            Case.EXPRESSION_OF_INTEREST_ECT,  # an interest in Ambition, but no partnership yet
            Case.MERGED_AWAY_PARTICIPANT,
            UNKNOWN_ID,
            "not-an-id",
        ],
        ids=str,
    )
    async def test_a_participant_the_provider_does_not_see_is_not_found(self, readonly_db, client, action, participant):
        attributes = {
            "course_identifier": "ecf-induction",
            "reason": "other",
            "schedule_identifier": "ecf-extended-september",
        }
        response = await _put(client, readonly_db, participant, action, attributes)
        assert response.status_code == 404
        assert response.json() == NOT_FOUND

    @pytest.mark.parametrize("action", ["withdraw", "defer", "resume", "change-schedule"])
    async def test_an_analyst_is_forbidden_and_nothing_changes(self, readonly_db, client, action):
        before = await database_state(readonly_db.engine)
        attributes = {
            "course_identifier": "ecf-induction",
            "reason": "other",
            "schedule_identifier": "ecf-extended-september",
        }
        response = await _put(client, readonly_db, Case.DEFERRED_OTHER, action, attributes, lead_provider=None)
        assert response.status_code == 403
        assert await database_state(readonly_db.engine) == before

    @pytest.mark.parametrize("body", [b"", b"{}", b'{"data": {"type": "participant-withdraw"}}', b'{"data": "x"}'])
    async def test_a_body_without_a_data_object_with_attributes_is_a_400(self, readonly_db, client, body):
        response = await client.put(
            f"{ECF}/{case_id(Case.ACTIVE_ECT)}/withdraw", content=body, headers=await _headers(readonly_db)
        )
        assert response.status_code == 400
        assert response.json() == BAD_BODY

    async def test_every_attribute_reports_its_first_failure(self, readonly_db, client):
        response = await _put(
            client, readonly_db, Case.ACTIVE_ECT, "withdraw", {"course_identifier": "ecf-mentor", "reason": ""}
        )
        assert response.json() == {
            "errors": [
                {
                    "title": "course_identifier",
                    "detail": "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again.",
                },
                {"title": "reason", "detail": "Enter a '#/reason'."},
            ]
        }


class TestWithdraw:
    @pytest.mark.parametrize("path", [ECF, NEWER])
    async def test_withdraws_the_enrolment_and_answers_with_the_participant_as_its_get_renders_it(
        self, sandbox_db, client, path
    ):
        (period,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        participant_before = await _updated_at(sandbox_db, _participants, case_id(Case.ACTIVE_ECT))
        partnership_before = await _updated_at(sandbox_db, _partnerships, period.partnership_id)
        started = clock.now()

        response = await _put(
            client,
            sandbox_db,
            Case.ACTIVE_ECT,
            "withdraw",
            {"course_identifier": "ecf-induction", "reason": "moved-school"},
            path=path,
        )

        assert response.status_code == 200, response.text
        assert response.json()["data"] == await _shown(client, sandbox_db, Case.ACTIVE_ECT, path)
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert enrolment["training_status"] == "withdrawn"
        assert enrolment["withdrawal"]["reason"] == "moved-school"
        (withdrawn,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        assert started <= withdrawn.withdrawn_at <= clock.now()
        assert (withdrawn.withdrawal_reason, withdrawn.finished_on) == ("moved-school", clock.today())
        assert await _updated_at(sandbox_db, _participants, case_id(Case.ACTIVE_ECT)) > participant_before
        assert await _updated_at(sandbox_db, _partnerships, period.partnership_id) > partnership_before

    @pytest.mark.parametrize("path", [ECF, NEWER])
    async def test_a_withdrawal_for_moved_school_leaves_the_schools_status_and_makes_no_transfer(
        self, sandbox_db, client, path
    ):
        transfers = f"{path}/{case_id(Case.ACTIVE_ECT)}/transfers"
        assert (await client.get(transfers, headers=await _headers(sandbox_db))).status_code == 404

        response = await _put(
            client,
            sandbox_db,
            Case.ACTIVE_ECT,
            "withdraw",
            {"course_identifier": "ecf-induction", "reason": "moved-school"},
            path=path,
        )

        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["training_status"], enrolment["participant_status"]) == ("withdrawn", "active")
        after = await client.get(transfers, headers=await _headers(sandbox_db))
        assert (after.status_code, after.json()) == (404, NOT_FOUND)
        listed = await client.get(f"{path}/transfers", headers=await _headers(sandbox_db))
        assert str(case_id(Case.ACTIVE_ECT)) not in {item["id"] for item in listed.json()["data"]}

    async def test_a_mentor_may_be_withdrawn_for_no_longer_being_a_mentor(self, sandbox_db, client):
        response = await _put(
            client,
            sandbox_db,
            Case.FUNDED_MENTOR,
            "withdraw",
            {"course_identifier": "ecf-mentor", "reason": "mentor-no-longer-being-mentor"},
        )
        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert enrolment["withdrawal"]["reason"] == "mentor-no-longer-being-mentor"

    async def test_a_leaving_participant_keeps_the_earlier_of_its_finish_and_today(self, sandbox_db, client):
        (period,) = await _periods_of(sandbox_db, Case.LEAVING_ECT)
        assert period.finished_on > clock.today()

        response = await _put(
            client, sandbox_db, Case.LEAVING_ECT, "withdraw", {"course_identifier": "ecf-induction", "reason": "other"}
        )

        assert response.status_code == 200
        (withdrawn,) = await _periods_of(sandbox_db, Case.LEAVING_ECT)
        assert withdrawn.finished_on == clock.today()
        # The school's leaving date is the school's: the participant is still leaving, on the day it said.
        assert withdrawn.leaving_on == period.leaving_on
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["training_status"], enrolment["participant_status"]) == ("withdrawn", "leaving")


class TestDefer:
    async def test_defers_the_enrolment_keeping_the_reason(self, sandbox_db, client):
        response = await _put(
            client,
            sandbox_db,
            Case.ACTIVE_ECT,
            "defer",
            {"course_identifier": "ecf-induction", "reason": "parental-leave"},
        )

        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["training_status"], enrolment["deferral"]["reason"], enrolment["withdrawal"]) == (
            "deferred",
            "parental-leave",
            None,
        )
        (deferred,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        assert (deferred.deferral_reason, deferred.finished_on, deferred.withdrawn_at) == (
            "parental-leave",
            clock.today(),
            None,
        )
        assert deferred.deferred_at is not None

    async def test_a_deferred_participant_may_then_be_withdrawn(self, sandbox_db, client):
        response = await _put(
            client,
            sandbox_db,
            Case.DEFERRED_OTHER,
            "withdraw",
            {"course_identifier": "ecf-induction", "reason": "other"},
        )
        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert enrolment["training_status"] == "withdrawn"
        assert enrolment["deferral"]["reason"] == "other", "the deferral is kept"


class TestResume:
    @pytest.mark.parametrize("participant", [Case.WITHDRAWN_OTHER, Case.DEFERRED_BEREAVEMENT])
    async def test_starts_a_new_period_today_and_keeps_the_old_one(self, sandbox_db, client, participant):
        (old,) = await _periods_of(sandbox_db, participant)

        response = await _put(client, sandbox_db, participant, "resume", {"course_identifier": "ecf-induction"})

        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["training_status"], enrolment["withdrawal"], enrolment["deferral"]) == ("active", None, None)
        kept, resumed = await _periods_of(sandbox_db, participant)
        assert tuple(kept) == tuple(old)
        assert (resumed.started_on, resumed.finished_on) == (clock.today(), None)
        same = (
            "training_record_id",
            "school_id",
            "cohort_id",
            "partnership_id",
            "schedule_id",
            "training_programme",
            "email",
            "mentor_id",
        )
        assert [getattr(resumed, name) for name in same] == [getattr(old, name) for name in same]
        assert (resumed.withdrawn_at, resumed.deferred_at) == (None, None)


class TestChangeSchedule:
    async def test_ongoing_training_ends_on_the_old_schedule_and_carries_on_from_today_on_the_new(
        self, sandbox_db, client
    ):
        (old,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)

        response = await _put(
            client,
            sandbox_db,
            Case.ACTIVE_ECT,
            "change-schedule",
            {"course_identifier": "ecf-induction", "schedule_identifier": "ecf-extended-september"},
        )

        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["schedule_identifier"], enrolment["cohort"], enrolment["training_status"]) == (
            "ecf-extended-september",
            "2025",
            "active",
        )
        ended, current = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        assert ended.id == old.id
        assert (ended.schedule_id, ended.started_on) == (old.schedule_id, old.started_on)
        assert ended.finished_on < clock.today() <= current.started_on
        assert current.schedule_id == schedule_id(2025, ScheduleIdentifier.EXTENDED_SEPTEMBER)
        assert (current.partnership_id, current.mentor_id, current.email) == (
            old.partnership_id,
            old.mentor_id,
            old.email,
        )

    async def test_a_participant_may_return_to_the_frozen_cohort_it_came_from(self, sandbox_db, client):
        attributes = {
            "course_identifier": "ecf-induction",
            "schedule_identifier": "ecf-extended-september",
            "cohort": "2022",
        }

        response = await _put(
            client, sandbox_db, Case.MOVED_FROM_FROZEN_COHORT, "change-schedule", attributes, path=NEWER
        )

        assert response.status_code == 200, response.text
        (enrolment,) = response.json()["data"]["attributes"]["ecf_enrolments"]
        assert (enrolment["cohort"], enrolment["schedule_identifier"]) == ("2022", "ecf-extended-september")
        assert enrolment["cohort_changed_after_payments_frozen"] is False
        periods = await _periods_of(sandbox_db, Case.MOVED_FROM_FROZEN_COHORT)
        assert [period.cohort_id for period in periods] == [cohort_id(2022), cohort_id(2024), cohort_id(2022)]


class TestPublishedShapes:
    @pytest.mark.parametrize("path", [ECF, NEWER])
    @pytest.mark.parametrize(
        "action, participant, attributes",
        [
            ("withdraw", Case.ACTIVE_ECT, {"course_identifier": "ecf-induction", "reason": "other"}),
            ("defer", Case.ACTIVE_ECT, {"course_identifier": "ecf-induction", "reason": "other"}),
            ("resume", Case.WITHDRAWN_OTHER, {"course_identifier": "ecf-induction"}),
            (
                "change-schedule",
                Case.ACTIVE_ECT,
                {"course_identifier": "ecf-induction", "schedule_identifier": "ecf-extended-september"},
            ),
        ],
    )
    async def test_every_answer_validates_against_the_served_openapi_document(
        self, sandbox_db, client, path, action, participant, attributes
    ):
        documented = f"{path}/{{id}}/{action}"

        done = await _put(client, sandbox_db, participant, action, attributes, path=path)
        refused = await _put(client, sandbox_db, participant, action, {}, path=path)
        missing = await _put(client, sandbox_db, UNKNOWN_ID, action, attributes, path=path)

        assert [r.status_code for r in (done, refused, missing)] == [200, 422, 404]
        assert VALIDATOR.errors(documented, done.json(), method="put") == []
        assert VALIDATOR.errors(documented, refused.json(), method="put", status="422") == []
        assert VALIDATOR.errors(documented, missing.json(), method="put", status="404") == []
