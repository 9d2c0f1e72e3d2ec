"""create_declaration and void_declaration: states, captured facts, resubmission, races and rollbacks.

The published error texts are checked one by one through both faces
(tests/rest and tests/graphql ``test_declaration_actions``); here are the
rules behind a success, and what a failure leaves behind.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest

from gateway import clock
from gateway.db.engine import write_transaction
from gateway.db.tables import Declaration, Partnership
from gateway.domain.callers import Caller
from gateway.domain.declarations import actions, facts
from gateway.domain.declarations.actions import void_declaration
from gateway.domain.declarations.checks import SLOT_TAKEN
from gateway.domain.declarations.submission import parse_rfc3339
from gateway.domain.errors import Forbidden, NotFound, ValidationFailed
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, TEACH_FIRST
from gateway.vocabulary import Role, ScheduleIdentifier
from tests.declaration_scenarios import (
    MENTOR,
    add_period,
    at,
    count_rows,
    declaration_in_db,
    declare,
    make_trainee,
    open_output_statements,
    provider,
    snapshot,
    utc,
)

AMBITION_CALLER = provider(AMBITION)
TEACH_FIRST_CALLER = provider(TEACH_FIRST)
declarations = Declaration.__table__
partnerships = Partnership.__table__


async def _refused(engine, caller: Caller, attributes: dict) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as failure:
        await declare(engine, caller, attributes)
    return [(e.attribute, e.message) for e in failure.value.errors]


async def _void(engine, caller: Caller, declaration_id: uuid.UUID):
    async with write_transaction(engine) as conn:
        return await void_declaration(conn, caller, declaration_id)


class TestCreateDeclaration:
    async def test_an_eligible_participant_is_declared_eligible_on_the_earliest_open_output_fee_statement(
        self, sandbox_db
    ):
        mentor = await make_trainee(sandbox_db.engine, role=MENTOR)
        ect = await make_trainee(sandbox_db.engine, mentor_id=mentor.participant_id)

        row = await declare(
            sandbox_db.engine,
            AMBITION_CALLER,
            ect.declaration("started", "2025-10-01T10:00:00Z", "training-event-attended"),
        )

        expected_statement = next(
            s
            for s in await open_output_statements(sandbox_db.engine, AMBITION, 2025)
            if s["cut_off_date"] >= clock.today()
        )
        stored = await declaration_in_db(sandbox_db.engine, row.id)
        assert (stored["state"], stored["statement_id"], stored["clawback_statement_id"]) == (
            "eligible",
            expected_statement["id"],
            None,
        )
        assert stored["mentor_id"] == mentor.participant_id
        assert stored["lead_provider_name"] == AMBITION
        assert stored["training_record_id"] == ect.training_record_id
        assert stored["declaration_date"] == at("2025-10-01T10:00:00Z")
        assert stored["evidence_held"] == "training-event-attended"
        assert (row.state, row.statement_id, row.cohort) == ("eligible", expected_statement["id"], 2025)

    async def test_the_delivery_partner_is_the_one_of_the_training_periods_partnership(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        )

        async with sandbox_db.engine.connect() as conn:
            partner = (
                await conn.execute(
                    partnerships.select().where(
                        partnerships.c.school_id == case_id(Case.AMBITION_HOME_SCHOOL),
                        partnerships.c.cohort_id == row.cohort_id,
                    )
                )
            ).one()
        assert row.delivery_partner_id == partner.delivery_partner_id

    async def test_a_participant_not_known_to_be_eligible_is_declared_submitted_on_no_statement(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, eligible=None)
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        )

        stored = await declaration_in_db(sandbox_db.engine, row.id)
        assert (stored["state"], stored["statement_id"]) == ("submitted", None)

    async def test_a_mentors_declaration_names_no_mentor(self, sandbox_db):
        mentor = await make_trainee(sandbox_db.engine, role=MENTOR)
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, mentor.declaration("started", "2025-10-01T10:00:00Z", "other")
        )
        assert (row.course_identifier, row.mentor_id) == ("ecf-mentor", None)

    async def test_another_participant_with_the_same_trn_holding_the_slot_makes_it_an_ineligible_duplicate(
        self, sandbox_db
    ):
        first = await make_trainee(sandbox_db.engine, trn="1234567")
        second = await make_trainee(sandbox_db.engine, trn="1234567")
        await declare(sandbox_db.engine, AMBITION_CALLER, first.declaration("started", "2025-10-01T10:00:00Z", "other"))

        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, second.declaration("started", "2025-10-02T10:00:00Z", "other")
        )

        stored = await declaration_in_db(sandbox_db.engine, row.id)
        assert (stored["state"], stored["ineligible_for_funding_reason"], stored["statement_id"]) == (
            "ineligible",
            "duplicate_declaration",
            None,
        )

    async def test_the_same_trn_on_another_role_is_no_duplicate(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, trn="7654321")
        mentor = await make_trainee(sandbox_db.engine, trn="7654321", role=MENTOR)
        await declare(sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))

        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, mentor.declaration("started", "2025-10-01T10:00:00Z", "other")
        )
        assert row.state == "eligible"

    async def test_an_exact_resubmission_answers_the_declaration_already_recorded_unchanged(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        attributes = ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        first = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)
        before = await declaration_in_db(sandbox_db.engine, first.id)
        rows_before = await count_rows(sandbox_db.engine, declarations)

        with clock.travel_to(utc(2026, 12, 1)):
            again = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)

        assert again == first
        assert await declaration_in_db(sandbox_db.engine, first.id) == before
        assert await count_rows(sandbox_db.engine, declarations) == rows_before

    @pytest.mark.parametrize(
        "case, evidence",
        [(Case.DECLARATION_ELIGIBLE, None), (Case.DECLARATION_PAID, "other")],
        ids=["as stored", "started before 2025, its evidence ignored"],
    )
    async def test_resending_a_seeded_declaration_answers_it(self, sandbox_db, case, evidence):
        stored = await declaration_in_db(sandbox_db.engine, case_id(case))
        attributes = {
            "participant_id": str(stored["participant_id"]),
            "declaration_type": stored["declaration_type"],
            "declaration_date": stored["declaration_date"].isoformat(),
            "course_identifier": stored["course_identifier"],
            "evidence_held": evidence or stored["evidence_held"],
        }

        row = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)

        assert (row.id, row.state) == (stored["id"], stored["state"])
        assert await declaration_in_db(sandbox_db.engine, stored["id"]) == stored

    async def test_the_same_instant_in_another_time_zone_is_an_exact_resubmission(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        first = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        )
        again = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T11:00:00.000+01:00", "other")
        )
        assert again.id == first.id

    async def test_a_resubmission_with_other_evidence_is_refused_because_the_slot_is_taken(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        await declare(sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        assert await _refused(
            sandbox_db.engine,
            AMBITION_CALLER,
            ect.declaration("started", "2025-10-01T10:00:00Z", "training-event-attended"),
        ) == [("declaration_type", SLOT_TAKEN)]

    async def test_the_same_submission_by_another_provider_is_no_resubmission(self, sandbox_db):
        trainee = await make_trainee(
            sandbox_db.engine, year=2024, lead_provider=TEACH_FIRST, started_on=date(2024, 9, 1)
        )
        await add_period(sandbox_db.engine, trainee, lead_provider=AMBITION, started_on=date(2025, 1, 1))
        attributes = trainee.declaration("started", "2024-10-01T10:00:00Z")
        await declare(sandbox_db.engine, TEACH_FIRST_CALLER, attributes)

        assert await _refused(sandbox_db.engine, AMBITION_CALLER, attributes) == [("declaration_type", SLOT_TAKEN)]

    async def test_a_voided_declarations_slot_can_be_declared_again(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        attributes = ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        first = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)
        await _void(sandbox_db.engine, AMBITION_CALLER, first.id)

        again = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)
        assert again.id != first.id and again.state == "eligible"

    async def test_evidence_sent_with_a_started_declaration_before_2025_is_ignored(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, year=2024)
        row = await declare(
            sandbox_db.engine,
            AMBITION_CALLER,
            ect.declaration("started", "2024-10-01T10:00:00Z", "not-a-kind-of-evidence"),
        )
        assert row.evidence_held is None

    async def test_the_whole_milestone_date_counts_whatever_the_offset(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, year=2024)  # started: 2024-06-01 -> 2024-12-31
        row = await declare(sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-01-01T00:59:59+01:00"))
        assert row.declaration_date == at("2024-12-31T23:59:59Z")

    async def test_the_milestone_start_day_counts_from_midnight(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, year=2024)  # retained-1: 2025-01-01 -> 2025-03-31
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("retained-1", "2025-01-01T00:00:00Z", "other")
        )
        assert row.state == "eligible"

    async def test_the_milestone_comes_from_the_latest_period_with_the_provider(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, year=2024)
        await add_period(
            sandbox_db.engine,
            ect,
            lead_provider=AMBITION,
            started_on=date(2025, 2, 1),
            schedule=ScheduleIdentifier.EXTENDED_SEPTEMBER,
        )

        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("extended-1", "2025-03-01T10:00:00Z", "other")
        )
        assert row.declaration_type == "extended-1"

    async def test_a_deferred_participant_can_still_be_declared(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, deferred_at=utc(2025, 11, 1))
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-12-01T10:00:00Z", "other")
        )
        assert row.state == "eligible"

    async def test_a_participant_withdrawn_after_the_declaration_date_can_be_declared(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine, withdrawn_at=utc(2025, 12, 1))
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-11-30T10:00:00Z", "other")
        )
        assert row.state == "eligible"

    async def test_from_2025_declarations_dated_equal_to_their_neighbours_are_in_sequence(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        await declare(sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        await declare(
            sandbox_db.engine,
            AMBITION_CALLER,
            ect.declaration("retained-2", "2025-12-01T10:00:00Z", "75-percent-engagement-met"),
        )

        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("retained-1", "2025-10-01T10:00:00Z", "other")
        )
        assert row.state == "eligible"

    async def test_only_lead_providers_may_declare(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        with pytest.raises(Forbidden):
            await declare(
                sandbox_db.engine,
                Caller(role=Role.ANALYST),
                ect.declaration("started", "2025-10-01T10:00:00Z", "other"),
            )

    async def test_a_refused_declaration_leaves_the_database_as_it_was(self, sandbox_db):
        ect = await make_trainee(sandbox_db.engine)
        before = await snapshot(sandbox_db.engine)

        refused = await _refused(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("retained-2", "2025-10-01T10:00:00Z", "other")
        )

        assert refused == [("evidence_held", "Enter an available '#/evidence_held' type for this participant.")]
        assert await snapshot(sandbox_db.engine) == before

    async def test_losing_a_race_to_an_identical_submission_answers_the_winners_declaration(
        self, sandbox_db, monkeypatch
    ):
        ect = await make_trainee(sandbox_db.engine)
        attributes = ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        winner = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)
        # As if the winner committed between this submission's checks and its insert.
        real_find = facts.find_resubmission
        calls = []

        async def not_yet_committed(conn, digest):
            calls.append(digest)
            return None if len(calls) == 1 else await real_find(conn, digest)

        async def nothing_billable_yet(conn, **kwargs):
            found = await real_load(conn, **kwargs)
            found.billable = []
            return found

        real_load = facts.load_submission_facts
        monkeypatch.setattr(actions, "find_resubmission", not_yet_committed)
        monkeypatch.setattr(actions, "load_submission_facts", nothing_billable_yet)
        before = await snapshot(sandbox_db.engine)

        loser = await declare(sandbox_db.engine, AMBITION_CALLER, attributes)

        assert loser == winner and len(calls) == 2
        assert await snapshot(sandbox_db.engine) == before

    async def test_losing_a_race_for_the_slot_is_refused_with_the_slot_message(self, sandbox_db, monkeypatch):
        ect = await make_trainee(sandbox_db.engine)
        await declare(sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        real_load = facts.load_submission_facts

        async def nothing_billable_yet(conn, **kwargs):
            found = await real_load(conn, **kwargs)
            found.billable = []
            return found

        monkeypatch.setattr(actions, "load_submission_facts", nothing_billable_yet)
        before = await snapshot(sandbox_db.engine)

        refused = await _refused(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-02T10:00:00Z", "other")
        )

        assert refused == [("declaration_type", SLOT_TAKEN)]
        assert await snapshot(sandbox_db.engine) == before


class TestVoidDeclaration:
    @pytest.mark.parametrize("eligible", [True, None], ids=["eligible", "submitted"])
    async def test_an_unpaid_declaration_is_voided_and_leaves_its_statement(self, sandbox_db, eligible):
        ect = await make_trainee(sandbox_db.engine, eligible=eligible)
        row = await declare(
            sandbox_db.engine, AMBITION_CALLER, ect.declaration("started", "2025-10-01T10:00:00Z", "other")
        )

        with clock.travel_to(utc(2026, 12, 2)):
            voided = await _void(sandbox_db.engine, AMBITION_CALLER, row.id)

        stored = await declaration_in_db(sandbox_db.engine, row.id)
        assert (stored["state"], stored["statement_id"], stored["clawback_statement_id"]) == ("voided", None, None)
        assert stored["voided_at"] == utc(2026, 12, 2) == stored["updated_at"]
        assert voided.state == "voided"

    async def test_a_payable_declaration_is_voided_and_leaves_its_statement(self, sandbox_db):
        payable_id = case_id(Case.DECLARATION_PAYABLE)
        voided = await _void(sandbox_db.engine, AMBITION_CALLER, payable_id)
        assert (voided.state, voided.statement_id) == ("voided", None)

    async def test_an_ineligible_duplicate_is_voided(self, sandbox_db):
        voided = await _void(sandbox_db.engine, AMBITION_CALLER, case_id(Case.DECLARATION_INELIGIBLE))
        assert (voided.state, voided.statement_id, voided.ineligible_for_funding_reason) == (
            "voided",
            None,
            "duplicate_declaration",
        )

    async def test_a_paid_declaration_awaits_clawback_on_the_next_open_output_fee_statement(self, sandbox_db):
        paid = await declaration_in_db(sandbox_db.engine, case_id(Case.DECLARATION_PAID))

        voided = await _void(sandbox_db.engine, AMBITION_CALLER, paid["id"])

        next_open = next(
            s
            for s in await open_output_statements(sandbox_db.engine, AMBITION, 2024)
            if s["cut_off_date"] >= clock.today()
        )
        stored = await declaration_in_db(sandbox_db.engine, paid["id"])
        assert (stored["state"], stored["statement_id"], stored["clawback_statement_id"]) == (
            "awaiting-clawback",
            paid["statement_id"],
            next_open["id"],
        )
        assert voided.clawback_statement_id == next_open["id"]

    async def test_another_providers_declaration_is_not_found(self, sandbox_db):
        before = await snapshot(sandbox_db.engine)
        with pytest.raises(NotFound):
            await _void(sandbox_db.engine, TEACH_FIRST_CALLER, case_id(Case.DECLARATION_ELIGIBLE))
        assert await snapshot(sandbox_db.engine) == before

    async def test_an_unknown_declaration_is_not_found(self, sandbox_db):
        with pytest.raises(NotFound):
            await _void(sandbox_db.engine, AMBITION_CALLER, uuid.uuid4())

    async def test_only_lead_providers_may_void(self, sandbox_db):
        with pytest.raises(Forbidden):
            await _void(sandbox_db.engine, Caller(role=Role.ADMIN), case_id(Case.DECLARATION_ELIGIBLE))

    async def test_a_refused_void_leaves_the_database_as_it_was(self, sandbox_db):
        before = await snapshot(sandbox_db.engine)
        with clock.travel_to(utc(2031, 1, 1)), pytest.raises(ValidationFailed) as failure:
            await _void(sandbox_db.engine, AMBITION_CALLER, case_id(Case.DECLARATION_PAID))
        assert failure.value.errors[0].attribute == "participant_declaration_id"
        assert await snapshot(sandbox_db.engine) == before


class TestParseRfc3339:
    @pytest.mark.parametrize(
        "text, moment",
        [
            ("2025-10-01T10:00:00Z", "2025-10-01T10:00:00+00:00"),
            ("2025-10-01t10:00:00z", "2025-10-01T10:00:00+00:00"),
            ("2025-10-01T11:00:00.123456789+01:00", "2025-10-01T10:00:00.123456+00:00"),
            ("2025-10-01T05:30:00-04:30", "2025-10-01T10:00:00+00:00"),
        ],
    )
    def test_a_date_time_with_a_zone_is_read_as_its_utc_instant(self, text, moment):
        assert parse_rfc3339(text) == datetime.fromisoformat(moment)

    @pytest.mark.parametrize(
        "text",
        [
            "2025-10-01 10:00:00",
            "2025-10-01T10:00:00",
            "2025-10-01",
            "2025-13-01T10:00:00Z",
            "2025-02-30T10:00:00Z",
            "2025-10-01T29:00:00Z",
            "2025-10-01T10:00:00+0100",
            "2025-10-01T10:00:00+24:00",
            "9999-12-31T23:59:59-14:00",
            "0001-01-01T00:00:00+14:00",
            "2025-10-01T10:00:00Z\x00",
            "",
            20251001,
            None,
        ],
    )
    def test_anything_else_is_not_rfc3339(self, text):
        assert parse_rfc3339(text) is None
