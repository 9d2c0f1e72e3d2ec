"""The database constraints that back the rules which must hold under concurrency."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from gateway.db.engine import write_transaction
from gateway.db.tables import Declaration, Partnership, ProviderRelationship

declarations = Declaration.__table__
partnerships = Partnership.__table__
relationships = ProviderRelationship.__table__


async def _one(db, table, where=None):
    async with db.engine.connect() as conn:
        stmt = select(table)
        if where is not None:
            stmt = stmt.where(where)
        return dict((await conn.execute(stmt.limit(1))).mappings().one())


def _copy(row: dict, **changes) -> dict:
    return {**row, "id": uuid.uuid4(), "submission_digest": uuid.uuid4().hex, **changes}


class TestBillableDeclarationSlot:
    async def test_a_second_billable_declaration_for_the_same_record_and_type_is_rejected(self, sandbox_db):
        existing = await _one(sandbox_db, declarations, declarations.c.state == "paid")
        with pytest.raises(IntegrityError):
            async with write_transaction(sandbox_db.engine) as conn:
                await conn.execute(declarations.insert().values(_copy(existing, state="submitted")))

    async def test_a_voided_declaration_beside_a_billable_one_is_allowed(self, sandbox_db):
        existing = await _one(sandbox_db, declarations, declarations.c.state == "paid")
        voided = _copy(existing, state="voided", statement_id=None)
        async with write_transaction(sandbox_db.engine) as conn:
            await conn.execute(declarations.insert().values(voided))

        assert (await _one(sandbox_db, declarations, declarations.c.id == voided["id"]))["state"] == "voided"


class TestUniqueRelationsAndPartnerships:
    async def test_a_duplicate_provider_relationship_is_rejected(self, sandbox_db):
        existing = await _one(sandbox_db, relationships)
        with pytest.raises(IntegrityError):
            async with write_transaction(sandbox_db.engine) as conn:
                await conn.execute(relationships.insert().values({**existing, "id": uuid.uuid4()}))

    async def test_a_second_partnership_for_the_same_school_provider_and_cohort_is_rejected(self, sandbox_db):
        existing = await _one(sandbox_db, partnerships)
        with pytest.raises(IntegrityError):
            async with write_transaction(sandbox_db.engine) as conn:
                await conn.execute(partnerships.insert().values({**existing, "id": uuid.uuid4()}))
