"""Stored date-times and dates read alike on both paths: with microseconds (written by an action) or on the second
(seeded), cut to the second with a ``Z``, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
from sqlalchemy import update

from gateway.db.engine import write_transaction
from gateway.db.tables import Declaration, Participant, table_of
from gateway.graphql.schema import schema
from tests.graphql.compiled.corpus import AMBITION, full_selection
from tests.rest.support import headers_for

WITH_MICROSECONDS = datetime(2025, 10, 1, 8, 30, 15, 793481, tzinfo=UTC)  # .793481 rounds up: a cut tells them apart
ON_THE_SECOND = datetime(2025, 10, 1, 8, 30, 15, tzinfo=UTC)
SECOND = "2025-10-01T08:30:15Z"

LISTED = "{ declarations(first: 2) { edges { node { id participantId } } } }"
_DECLARATION = full_selection(schema._schema.type_map["Declaration"], 2)
BOTH = f"query($a: ID!, $b: ID!) {{ a: declaration(id: $a) {{ {_DECLARATION} }} b: declaration(id: $b) {{ {_DECLARATION} }} }}"

_declarations, _participants = table_of(Declaration), table_of(Participant)


async def _stamp(db, declaration_id: str, moment: datetime) -> None:
    async with write_transaction(db.engine) as conn:
        await conn.execute(
            update(_declarations)
            .where(_declarations.c.id == uuid.UUID(declaration_id))
            .values(declaration_date=moment, created_at=moment, updated_at=moment)
        )


class TestStoredMoments:
    async def test_a_moment_with_microseconds_and_one_on_the_second_answer_alike(self, sandbox_db, paths):
        headers = await headers_for(sandbox_db, AMBITION)
        edges = (await paths.normal(headers, LISTED))["data"]["declarations"]["edges"]
        first, second = (edge["node"] for edge in edges)
        await _stamp(sandbox_db, first["id"], WITH_MICROSECONDS)
        await _stamp(sandbox_db, second["id"], ON_THE_SECOND)
        async with write_transaction(sandbox_db.engine) as conn:
            await conn.execute(
                update(_participants)
                .where(_participants.c.id == uuid.UUID(first["participantId"]))
                .values(created_at=WITH_MICROSECONDS)
            )

        answers = await paths.post(headers, BOTH, {"a": first["id"], "b": second["id"]})

        assert answers.same, f"compiled: {answers.compiled[:600]!r}\nnormal:   {answers.normal[:600]!r}"
        assert answers.outcome == "compiled"
        data = orjson.loads(answers.compiled)["data"]
        for found in (data["a"], data["b"]):
            assert (found["declarationDate"], found["createdAt"], found["updatedAt"]) == (SECOND, SECOND, SECOND)
        assert data["a"]["participant"]["createdAt"] == SECOND
        assert b'"startedOn":"' in answers.compiled  # a Date from the database, on both paths
