"""withdrawParticipant, deferParticipant, resumeParticipant and changeParticipantSchedule: the REST checks and
messages as payload errors; values outside the input enums are refused by GraphQL validation."""

from __future__ import annotations

from enum import StrEnum

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection
from gateway.db.tables import TrainingPeriod, TrainingRecord
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, schedule_id
from gateway.vocabulary import CourseIdentifier, DeferralReason, Role, ScheduleIdentifier, WithdrawalReason
from tests.database_state import database_state
from tests.support import bearer, issue_token
from tests.write_action_cases import PARTICIPANT_REFUSALS

_PAYLOAD = """{
    participant { id fullName enrolments { participantType trainingStatus scheduleIdentifier cohort withdrawal { reason } deferral { reason } } }
    errors { attribute message }
  }"""

WITHDRAW = (
    "mutation Withdraw($input: WithdrawParticipantInput!) { withdrawParticipant(input: $input) " + _PAYLOAD + " }"
)
DEFER = "mutation Defer($input: DeferParticipantInput!) { deferParticipant(input: $input) " + _PAYLOAD + " }"
RESUME = "mutation Resume($input: ResumeParticipantInput!) { resumeParticipant(input: $input) " + _PAYLOAD + " }"
CHANGE_SCHEDULE = (
    "mutation ChangeSchedule($input: ChangeParticipantScheduleInput!) { changeParticipantSchedule(input: $input) "
    + _PAYLOAD
    + " }"
)

MUTATIONS = {
    "withdraw": (WITHDRAW, "withdrawParticipant", WithdrawalReason),
    "defer": (DEFER, "deferParticipant", DeferralReason),
    "resume": (RESUME, "resumeParticipant", None),
    "change-schedule": (CHANGE_SCHEDULE, "changeParticipantSchedule", None),
}

_periods = TrainingPeriod.__table__
_records = TrainingRecord.__table__


def _enum_name(vocabulary: type[StrEnum], value: str) -> str:
    """The GraphQL spelling of a published value; a value outside the vocabulary is sent as it is (and refused)."""
    return vocabulary(value).name if value in vocabulary._value2member_map_ else value


def _input(action: str, participant_id, attributes: dict) -> dict:
    reasons = MUTATIONS[action][2]
    converted = {"participantId": str(participant_id)}
    for name, value in attributes.items():
        if name == "course_identifier":
            converted["courseIdentifier"] = _enum_name(CourseIdentifier, value)
        elif name == "reason":
            converted["reason"] = _enum_name(reasons, value)
        elif name == "schedule_identifier":
            converted["scheduleIdentifier"] = _enum_name(ScheduleIdentifier, value)
        else:
            converted[name] = value
    return converted


async def _run(
    client, db, action: str, participant, attributes: dict, *, lead_provider: str | None = AMBITION
) -> tuple[dict, str]:
    token = (
        await issue_token(db.engine, lead_provider=lead_provider)
        if lead_provider
        else await issue_token(db.engine, role=Role.ANALYST)
    )
    participant_id = case_id(participant) if isinstance(participant, Case) else participant
    query, field, _ = MUTATIONS[action]
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": {"input": _input(action, participant_id, attributes)}},
        headers=bearer(token),
    )
    return response.json(), field


async def _periods_of(db, participant: Case) -> list:
    async with read_connection(db.engine) as conn:
        stmt = (
            select(_periods)
            .join(_records, _records.c.id == _periods.c.training_record_id)
            .where(_records.c.participant_id == case_id(participant))
            .order_by(_periods.c.started_on, _periods.c.created_at)
        )
        return (await conn.execute(stmt)).all()


class TestRefusals:
    @pytest.mark.parametrize("refusal", [r for r in PARTICIPANT_REFUSALS if r.graphql], ids=str)
    async def test_each_refusal_is_reported_with_the_published_message_and_changes_nothing(
        self, readonly_db, client, refusal
    ):
        before = await database_state(readonly_db.engine)

        result, field = await _run(client, readonly_db, refusal.action, refusal.participant, refusal.attributes)

        assert "errors" not in result
        assert result["data"][field] == {
            "participant": None,
            "errors": [{"attribute": attribute, "message": message} for attribute, message in refusal.errors],
        }
        assert await database_state(readonly_db.engine) == before

    @pytest.mark.parametrize("refusal", [r for r in PARTICIPANT_REFUSALS if not r.graphql], ids=str)
    async def test_a_value_outside_the_input_enums_is_a_validation_error(self, readonly_db, client, refusal):
        result, _ = await _run(client, readonly_db, refusal.action, refusal.participant, refusal.attributes)

        assert result.get("data") is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["BAD_USER_INPUT"]

    @pytest.mark.parametrize("action", list(MUTATIONS))
    @pytest.mark.parametrize(
        "participant", [Case.UNFUNDED_MENTOR, Case.EXPRESSION_OF_INTEREST_ECT, "not-an-id"], ids=str
    )
    async def test_a_participant_the_provider_does_not_see_is_not_found(self, readonly_db, client, action, participant):
        attributes = {"course_identifier": "ecf-induction"}
        result, _ = await _run(client, readonly_db, action, participant, attributes)
        assert result["data"] is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["NOT_FOUND"]

    @pytest.mark.parametrize("action", list(MUTATIONS))
    async def test_an_analyst_gets_a_forbidden_error_and_nothing_changes(self, readonly_db, client, action):
        before = await database_state(readonly_db.engine)
        attributes = {
            "course_identifier": "ecf-induction",
            "reason": "other",
            "schedule_identifier": "ecf-extended-september",
        }
        if action == "resume":
            del attributes["reason"], attributes["schedule_identifier"]
        elif action == "change-schedule":
            del attributes["reason"]
        else:
            del attributes["schedule_identifier"]

        result, _ = await _run(client, readonly_db, action, Case.DEFERRED_OTHER, attributes, lead_provider=None)

        assert result["data"] is None
        assert [error["extensions"]["code"] for error in result["errors"]] == ["FORBIDDEN"]
        assert await database_state(readonly_db.engine) == before


class TestActions:
    async def test_withdraw_participant_records_the_withdrawal(self, sandbox_db, client):
        result, field = await _run(
            client, sandbox_db, "withdraw", Case.ACTIVE_ECT, {"course_identifier": "ecf-induction", "reason": "other"}
        )

        assert "errors" not in result
        payload = result["data"][field]
        assert payload["errors"] == []
        assert payload["participant"]["id"] == str(case_id(Case.ACTIVE_ECT))
        (enrolment,) = payload["participant"]["enrolments"]
        assert (enrolment["trainingStatus"], enrolment["withdrawal"]) == ("WITHDRAWN", {"reason": "OTHER"})
        (period,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        assert (period.withdrawal_reason, period.finished_on) == ("other", clock.today())

    async def test_a_withdrawal_for_moved_school_leaves_the_schools_status_and_makes_no_transfer(
        self, sandbox_db, client
    ):
        result, field = await _run(
            client,
            sandbox_db,
            "withdraw",
            Case.ACTIVE_ECT,
            {"course_identifier": "ecf-induction", "reason": "moved-school"},
        )
        assert result["data"][field]["errors"] == []

        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        read = await client.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { participant(id: $id) { enrolments { trainingStatus participantStatus } "
                "transfers { transferType } } participantTransfer(id: $id) { id } }",
                "variables": {"id": str(case_id(Case.ACTIVE_ECT))},
            },
            headers=bearer(token),
        )
        body = read.json()
        assert body["data"] == {
            "participant": {
                "enrolments": [{"trainingStatus": "WITHDRAWN", "participantStatus": "ACTIVE"}],
                "transfers": [],
            },
            "participantTransfer": None,
        }
        assert [error["extensions"]["code"] for error in body["errors"]] == ["NOT_FOUND"]

    async def test_defer_participant_records_the_deferral(self, sandbox_db, client):
        result, field = await _run(
            client,
            sandbox_db,
            "defer",
            Case.ACTIVE_ECT,
            {"course_identifier": "ecf-induction", "reason": "career-break"},
        )

        (enrolment,) = result["data"][field]["participant"]["enrolments"]
        assert (enrolment["trainingStatus"], enrolment["deferral"]) == ("DEFERRED", {"reason": "CAREER_BREAK"})
        (period,) = await _periods_of(sandbox_db, Case.ACTIVE_ECT)
        assert (period.deferral_reason, period.finished_on) == ("career-break", clock.today())

    async def test_resume_participant_starts_a_new_period(self, sandbox_db, client):
        result, field = await _run(
            client, sandbox_db, "resume", Case.DEFERRED_CAREER_BREAK, {"course_identifier": "ecf-induction"}
        )

        (enrolment,) = result["data"][field]["participant"]["enrolments"]
        assert (enrolment["trainingStatus"], enrolment["deferral"]) == ("ACTIVE", None)
        deferred, resumed = await _periods_of(sandbox_db, Case.DEFERRED_CAREER_BREAK)
        assert deferred.deferral_reason == "career-break"
        assert (resumed.started_on, resumed.deferred_at) == (clock.today(), None)

    async def test_change_participant_schedule_moves_the_training_to_the_new_schedule(self, sandbox_db, client):
        attributes = {
            "course_identifier": "ecf-mentor",
            "schedule_identifier": "ecf-extended-september",
            "cohort": "2025",
        }

        result, field = await _run(client, sandbox_db, "change-schedule", Case.FUNDED_MENTOR, attributes)

        assert result["data"][field]["errors"] == []
        (enrolment,) = result["data"][field]["participant"]["enrolments"]
        assert (enrolment["scheduleIdentifier"], enrolment["cohort"]) == ("EXTENDED_SEPTEMBER", "2025")
        ended, current = await _periods_of(sandbox_db, Case.FUNDED_MENTOR)
        assert ended.schedule_id == schedule_id(2025, ScheduleIdentifier.STANDARD_SEPTEMBER)
        assert current.schedule_id == schedule_id(2025, ScheduleIdentifier.EXTENDED_SEPTEMBER)
