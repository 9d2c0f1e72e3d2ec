"""lead_provider_participants: the database keeps, for each lead provider, the participants it sees (migration 0006).

The lists page a provider's participants through it, so it must always equal the rule (a training period under
one of the provider's partnerships), whoever wrote the periods: the seed, the actions, or SQL by hand.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select, update

from gateway.db.engine import read_connection, write_transaction
from gateway.db.migrate import upgrade_to_head
from gateway.db.tables import LeadProviderParticipant, Partnership, TrainingPeriod, TrainingRecord
from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import TEACH_FIRST, lead_provider_id
from tests.db.revisions import downgrade_below, seeded_database
from tests.declaration_scenarios import make_trainee

_kept = LeadProviderParticipant.__table__
_periods, _records, _partnerships = TrainingPeriod.__table__, TrainingRecord.__table__, Partnership.__table__


async def _kept_pairs(engine) -> set[tuple[uuid.UUID, uuid.UUID]]:
    async with read_connection(engine) as conn:
        return set((await conn.execute(select(_kept.c.lead_provider_id, _kept.c.participant_id))).all())


async def _pairs_by_the_rule(engine) -> set[tuple[uuid.UUID, uuid.UUID]]:
    rule = (
        select(_partnerships.c.lead_provider_id, _records.c.participant_id)
        .join(_periods, _periods.c.partnership_id == _partnerships.c.id)
        .join(_records, _records.c.id == _periods.c.training_record_id)
        .distinct()
    )
    async with read_connection(engine) as conn:
        return set((await conn.execute(rule)).all())


class TestKeptPairs:
    async def test_the_seeded_sandbox_holds_exactly_the_pairs_of_the_rule(self, readonly_db):
        kept = await _kept_pairs(readonly_db.engine)
        assert kept == await _pairs_by_the_rule(readonly_db.engine)
        assert len({provider for provider, _ in kept}) > 1

    async def test_a_period_written_by_hand_under_a_partnership_makes_its_participant_seen(self, sandbox_db):
        trainee = await make_trainee(sandbox_db.engine)
        assert trainee.participant_id in {p for _, p in await _kept_pairs(sandbox_db.engine)}
        assert await _kept_pairs(sandbox_db.engine) == await _pairs_by_the_rule(sandbox_db.engine)

    async def test_an_expression_of_interest_taken_up_by_a_partnership_makes_its_participant_seen(self, sandbox_db):
        participant = case_id(Case.EXPRESSION_OF_INTEREST_ECT)
        provider = lead_provider_id(TEACH_FIRST)
        assert (provider, participant) not in await _kept_pairs(sandbox_db.engine)
        async with write_transaction(sandbox_db.engine) as conn:
            partnership = (
                await conn.execute(select(_partnerships.c.id).where(_partnerships.c.lead_provider_id == provider))
            ).scalar()
            await conn.execute(
                update(_periods)
                .where(
                    _periods.c.training_record_id.in_(
                        select(_records.c.id).where(_records.c.participant_id == participant)
                    )
                )
                .values(partnership_id=partnership)
            )

        assert (provider, participant) in await _kept_pairs(sandbox_db.engine)

    async def test_the_revision_derives_the_pairs_of_a_database_written_before_it(self, databases):
        async with seeded_database(databases) as db:
            seeded = await _kept_pairs(db.engine)
            await downgrade_below(db.engine, "0006")

            await upgrade_to_head(db.engine)

            assert await _kept_pairs(db.engine) == seeded == await _pairs_by_the_rule(db.engine)
            async with read_connection(db.engine) as conn:
                assert (await conn.execute(select(func.count()).select_from(_kept))).scalar_one() == len(seeded)
