"""Reading partnerships: each provider its own, analysts all (domain.md section 4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from gateway import clock
from gateway.db.engine import read_connection
from gateway.db.tables import TrainingPeriod
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import OffsetPage, SortKey
from gateway.domain.partnerships.queries import (
    PartnershipFilters,
    count_partnerships,
    get_partnership,
    list_partnerships,
    partnerships_by_delivery_partner,
    partnerships_by_id,
    partnerships_by_school_and_cohort,
)
from gateway.vocabulary import Role
from tests.school_factories import (
    A_MOMENT,
    make_cohort,
    make_delivery_partner,
    make_lead_provider,
    make_partnership,
    make_school,
    make_school_cohort,
    make_training_period,
)

ANALYST = Caller(role=Role.ANALYST)


@dataclass
class World:
    db: object
    cohort_2024: uuid.UUID
    cohort_2025: uuid.UUID
    alpha: uuid.UUID
    beta: uuid.UUID
    north: uuid.UUID
    south: uuid.UUID
    school: uuid.UUID

    def provider(self, lead_provider_id: uuid.UUID) -> Caller:
        return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id)

    async def partner(
        self, lead_provider_id, *, school=None, cohort=None, delivery_partner=None, **values
    ) -> uuid.UUID:
        return await make_partnership(
            self.db,
            school_id=school or self.school,
            lead_provider_id=lead_provider_id,
            delivery_partner_id=delivery_partner or self.north,
            cohort_id=cohort or self.cohort_2025,
            **values,
        )


@pytest.fixture
async def world(empty_db) -> World:
    db = empty_db
    world = World(
        db=db,
        cohort_2024=await make_cohort(db, 2024),
        cohort_2025=await make_cohort(db, 2025),
        alpha=await make_lead_provider(db, "Alpha"),
        beta=await make_lead_provider(db, "Beta"),
        north=await make_delivery_partner(db, "North"),
        south=await make_delivery_partner(db, "South"),
        school=await make_school(db, urn="100001", name="Oak Primary"),
    )
    await make_school_cohort(db, school_id=world.school, cohort_id=world.cohort_2025, tutor="Ada Tutor")
    return world


async def _list(world: World, caller: Caller, order=(SortKey("created_at"),), **filters) -> list:
    async with read_connection(world.db.engine) as conn:
        return await list_partnerships(
            conn, caller, filters=PartnershipFilters(**filters), order=order, page=OffsetPage(size=3000)
        )


class TestListPartnerships:
    async def test_a_provider_lists_only_its_own(self, world):
        own = await world.partner(world.alpha)
        await world.partner(world.beta)

        assert [p.id for p in await _list(world, world.provider(world.alpha))] == [own]

    async def test_an_analyst_lists_every_providers_and_may_name_one(self, world):
        alphas = await world.partner(world.alpha)
        betas = await world.partner(world.beta)

        assert {p.id for p in await _list(world, ANALYST)} == {alphas, betas}
        assert [p.id for p in await _list(world, ANALYST, lead_provider_id=world.beta)] == [betas]

    async def test_a_provider_naming_another_provider_still_sees_only_its_own(self, world):
        own = await world.partner(world.alpha)
        await world.partner(world.beta)

        assert [p.id for p in await _list(world, world.provider(world.alpha), lead_provider_id=world.beta)] == [own]

    async def test_reads_the_published_attributes(self, world):
        partnership = await world.partner(world.alpha)

        (row,) = await _list(world, world.provider(world.alpha))

        assert (row.id, row.cohort, row.cohort_id, row.school_id, row.urn) == (
            partnership,
            2025,
            world.cohort_2025,
            world.school,
            "100001",
        )
        assert (row.delivery_partner_id, row.delivery_partner_name, row.lead_provider_id) == (
            world.north,
            "North",
            world.alpha,
        )
        assert (row.induction_tutor_name, row.induction_tutor_email) == ("Ada Tutor", "ada.tutor@example.com")
        assert (row.created_at, row.updated_at) == (A_MOMENT, A_MOMENT)

    async def test_the_induction_tutor_is_null_when_the_school_has_none_for_the_cohort(self, world):
        await world.partner(world.alpha, cohort=world.cohort_2024)

        (row,) = await _list(world, world.provider(world.alpha))

        assert (row.induction_tutor_name, row.induction_tutor_email) == (None, None)

    async def test_filters_by_cohort_delivery_partner_and_updated_since(self, world):
        other_school = await make_school(world.db, urn="100002")
        in_2024 = await world.partner(world.alpha, cohort=world.cohort_2024)
        with_south = await world.partner(world.alpha, school=other_school, delivery_partner=world.south)
        recent = await world.partner(world.alpha, updated_at=A_MOMENT + timedelta(days=3))
        caller = world.provider(world.alpha)

        assert [p.id for p in await _list(world, caller, cohort_years=[2024])] == [in_2024]
        assert {p.id for p in await _list(world, caller, cohort_years=[2024, 2025])} == {in_2024, with_south, recent}
        assert [p.id for p in await _list(world, caller, delivery_partner_ids=[world.south])] == [with_south]
        assert await _list(world, caller, delivery_partner_ids=[]) == []
        assert [p.id for p in await _list(world, caller, updated_since=A_MOMENT + timedelta(days=3))] == [recent]

    async def test_sorts_by_updated_at_then_id(self, world):
        other_school = await make_school(world.db, urn="100002")
        newer = await world.partner(world.alpha, updated_at=A_MOMENT + timedelta(days=2))
        older = await world.partner(world.alpha, school=other_school, updated_at=A_MOMENT + timedelta(days=1))

        assert [p.id for p in await _list(world, world.provider(world.alpha), order=[SortKey("updated_at")])] == [
            older,
            newer,
        ]
        assert [p.id for p in await _list(world, world.provider(world.alpha), order=[SortKey("updated_at", True)])] == [
            newer,
            older,
        ]

    async def test_count_matches_the_filters(self, world):
        await world.partner(world.alpha)
        await world.partner(world.alpha, cohort=world.cohort_2024)
        await world.partner(world.beta)
        async with read_connection(world.db.engine) as conn:
            assert await count_partnerships(conn, world.provider(world.alpha), filters=PartnershipFilters()) == 2
            assert (
                await count_partnerships(
                    conn, world.provider(world.alpha), filters=PartnershipFilters(cohort_years=[2025])
                )
                == 1
            )
            assert await count_partnerships(conn, ANALYST, filters=PartnershipFilters()) == 3


class TestParticipantsCurrentlyTraining:
    async def test_counts_periods_whose_dates_contain_today(self, world):
        partnership = await world.partner(world.alpha)
        today = date(2025, 11, 10)
        spans = [
            (today - timedelta(days=30), None),  # ongoing
            (today, None),  # starts today
            (today - timedelta(days=30), today),  # finishes today
            (today - timedelta(days=30), today + timedelta(days=5)),  # finishing soon
            (today - timedelta(days=30), today - timedelta(days=1)),  # finished yesterday
            (today + timedelta(days=1), None),  # starts tomorrow
        ]
        for started_on, finished_on in spans:
            await make_training_period(
                world.db,
                school_id=world.school,
                cohort_id=world.cohort_2025,
                partnership_id=partnership,
                started_on=started_on,
                finished_on=finished_on,
            )
        # A period of another provider's partnership at the same school is not this partnership's.
        await make_training_period(
            world.db,
            school_id=world.school,
            cohort_id=world.cohort_2025,
            partnership_id=await world.partner(world.beta),
            started_on=today,
        )

        with clock.travel_to(A_MOMENT.replace(year=today.year, month=today.month, day=today.day)):
            (row,) = await _list(world, world.provider(world.alpha))

        assert row.participants_currently_training == 4

    async def test_counts_a_participant_withdrawn_and_resumed_today_once(self, world):
        partnership = await world.partner(world.alpha)
        today = date(2025, 11, 10)
        place = dict(school_id=world.school, cohort_id=world.cohort_2025, partnership_id=partnership)
        withdrawn = await make_training_period(
            world.db, started_on=today - timedelta(days=30), finished_on=today, **place
        )
        periods = TrainingPeriod.__table__
        async with read_connection(world.db.engine) as conn:
            record = (
                await conn.execute(select(periods.c.training_record_id).where(periods.c.id == withdrawn))
            ).scalar_one()
        await make_training_period(world.db, started_on=today, training_record_id=record, **place)

        with clock.travel_to(A_MOMENT.replace(year=today.year, month=today.month, day=today.day)):
            (row,) = await _list(world, world.provider(world.alpha))

        assert row.participants_currently_training == 1

    async def test_is_zero_without_participants(self, world):
        await world.partner(world.alpha)

        (row,) = await _list(world, world.provider(world.alpha))

        assert row.participants_currently_training == 0


class TestGetPartnership:
    async def test_reads_the_callers_own(self, world):
        partnership = await world.partner(world.alpha)
        async with read_connection(world.db.engine) as conn:
            assert (await get_partnership(conn, world.provider(world.alpha), partnership)).id == partnership
            assert (await get_partnership(conn, ANALYST, partnership)).id == partnership

    async def test_another_providers_is_not_found_like_a_missing_one(self, world):
        partnership = await world.partner(world.beta)
        async with read_connection(world.db.engine) as conn:
            for missing in (partnership, uuid.uuid4()):
                with pytest.raises(NotFound):
                    await get_partnership(conn, world.provider(world.alpha), missing)


class TestLookups:
    async def test_by_id_leaves_out_another_providers(self, world):
        own = await world.partner(world.alpha)
        others = await world.partner(world.beta)
        async with read_connection(world.db.engine) as conn:
            found = await partnerships_by_id(conn, world.provider(world.alpha), [own, others])
        assert set(found) == {own}

    async def test_by_school_and_cohort_returns_the_callers_partnerships_of_each_pair(self, world):
        other_school = await make_school(world.db, urn="100002")
        here = await world.partner(world.alpha)
        await world.partner(world.beta)
        there_2024 = await world.partner(world.alpha, school=other_school, cohort=world.cohort_2024)
        await world.partner(world.alpha, school=other_school)  # 2025: not asked for
        keys = [(world.school, world.cohort_2025), (other_school, world.cohort_2024), (world.school, world.cohort_2024)]

        async with read_connection(world.db.engine) as conn:
            alphas = await partnerships_by_school_and_cohort(conn, world.provider(world.alpha), keys)
            analysts = await partnerships_by_school_and_cohort(conn, ANALYST, keys)

        assert {key: [p.id for p in rows] for key, rows in alphas.items()} == {
            (world.school, world.cohort_2025): [here],
            (other_school, world.cohort_2024): [there_2024],
        }
        assert len(analysts[(world.school, world.cohort_2025)]) == 2

    async def test_by_delivery_partner_returns_the_callers_partnerships_oldest_first(self, world):
        other_school = await make_school(world.db, urn="100002")
        later = await world.partner(world.alpha, created_at=A_MOMENT + timedelta(days=1))
        earlier = await world.partner(world.alpha, school=other_school)
        await world.partner(world.beta)
        southern = await world.partner(world.alpha, cohort=world.cohort_2024, delivery_partner=world.south)

        async with read_connection(world.db.engine) as conn:
            found = await partnerships_by_delivery_partner(
                conn, world.provider(world.alpha), [world.north, world.south, uuid.uuid4()]
            )

        assert {key: [p.id for p in rows] for key, rows in found.items()} == {
            world.north: [earlier, later],
            world.south: [southern],
        }
