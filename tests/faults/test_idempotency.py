"""Exact resubmissions answer the first submission's row whatever the interleaving (PostgreSQL: SQLite
serialises writers with BEGIN IMMEDIATE, so a second submission never runs while a first is open)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from gateway.db.engine import read_connection, write_transaction
from gateway.db.tables import Partnership
from gateway.domain.declarations import actions
from gateway.domain.declarations.submission import DeclarationSubmission
from gateway.domain.errors import ValidationFailed
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import AMBITION, cohort_id
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import make_trainee, provider
from tests.support import bearer, issue_token
from tests.write_action_cases import AMBITION_PARTNER, AMBITION_RECENT_PARTNER

_partnerships = Partnership.__table__

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="needs concurrent writers (PostgreSQL)")


class TestResubmissionCommittedWhileFactsLoad:
    async def test_it_answers_the_committed_declaration_not_the_slot_taken_refusal(self, sandbox_db, monkeypatch):
        engine = sandbox_db.engine
        ect = await make_trainee(engine)
        submission = DeclarationSubmission(**ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        load_facts = actions.load_submission_facts
        committed: list = []
        started: list = []

        async def winner_commits_first(conn, **kwargs):
            # The interleaving the burst hit: another request commits the same submission after this one
            # looked for a resubmission and before it reads the slot.
            if not started:
                started.append(True)  # the winner's own call loads its facts normally
                async with write_transaction(engine) as other:
                    committed.append(await actions.create_declaration(other, provider(AMBITION), submission))
            return await load_facts(conn, **kwargs)

        monkeypatch.setattr(actions, "load_submission_facts", winner_commits_first)
        async with write_transaction(engine) as conn:
            answered = await actions.create_declaration(conn, provider(AMBITION), submission)

        assert answered == committed[0]

    async def test_a_different_submission_for_the_taken_slot_is_still_refused(self, sandbox_db, monkeypatch):
        engine = sandbox_db.engine
        ect = await make_trainee(engine)
        first = DeclarationSubmission(**ect.declaration("started", "2025-10-01T10:00:00Z", "other"))
        second = DeclarationSubmission(**ect.declaration("started", "2025-10-02T10:00:00Z", "other"))
        load_facts = actions.load_submission_facts
        committed: list = []
        started: list = []

        async def winner_commits_first(conn, **kwargs):
            if not started:
                started.append(True)  # the winner's own call loads its facts normally
                async with write_transaction(engine) as other:
                    committed.append(await actions.create_declaration(other, provider(AMBITION), first))
            return await load_facts(conn, **kwargs)

        monkeypatch.setattr(actions, "load_submission_facts", winner_commits_first)
        with pytest.raises(ValidationFailed) as refused:
            async with write_transaction(engine) as conn:
                await actions.create_declaration(conn, provider(AMBITION), second)

        assert [(e.attribute, e.message) for e in refused.value.errors] == [
            (
                "declaration_type",
                "A declaration has already been submitted that will be, or has been, paid for this event.",
            )
        ]


PARTNERSHIPS = "/api/v3/partnerships/ecf"
ALREADY_PARTNERED = "You are already in a confirmed partnership with this school for the entered cohort."
RACERS = 20


class TestConcurrentPartnershipCreates:
    async def test_many_creates_for_one_school_give_one_partnership_and_the_published_refusal_to_the_rest(
        self, sandbox_db, client
    ):
        school = case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)
        token = await issue_token(sandbox_db.engine, lead_provider=AMBITION)
        partners = (AMBITION_PARTNER, AMBITION_RECENT_PARTNER)
        bodies = [
            {
                "data": {
                    "type": "ecf-partnership",
                    "attributes": {
                        "cohort": "2025",
                        "school_id": str(school),
                        "delivery_partner_id": str(partners[i % 2]),
                    },
                }
            }
            for i in range(RACERS)
        ]

        responses = await asyncio.gather(*(client.post(PARTNERSHIPS, json=b, headers=bearer(token)) for b in bodies))

        assert sorted(r.status_code for r in responses) == [200] + [422] * (RACERS - 1)
        assert all(
            r.json() == {"errors": [{"title": "school_id", "detail": ALREADY_PARTNERED}]}
            for r in responses
            if r.status_code == 422
        )
        async with read_connection(sandbox_db.engine) as conn:
            stored = (
                await conn.execute(
                    select(_partnerships.c.id).where(
                        _partnerships.c.school_id == school, _partnerships.c.cohort_id == cohort_id(2025)
                    )
                )
            ).all()
        (created,) = [r for r in responses if r.status_code == 200]
        assert [str(row.id) for row in stored] == [created.json()["data"]["id"]]
