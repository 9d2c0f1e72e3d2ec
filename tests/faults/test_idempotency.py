"""Exact resubmissions answer the first submission's row whatever the interleaving (PostgreSQL: SQLite
serialises writers with BEGIN IMMEDIATE, so a second submission never runs while a first is open)."""

from __future__ import annotations

import pytest

from gateway.db.engine import write_transaction
from gateway.domain.declarations import actions
from gateway.domain.declarations.submission import DeclarationSubmission
from gateway.domain.errors import ValidationFailed
from gateway.sandbox.reference import AMBITION
from tests.conftest import IS_POSTGRES
from tests.declaration_scenarios import make_trainee, provider

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
