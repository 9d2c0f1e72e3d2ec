"""Schools as seen in one cohort: which are listed, and what each caller reads of them (domain.md section 4)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest

from gateway.db.engine import read_connection
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.domain.paging import KeysetPage, OffsetPage, SortKey
from gateway.domain.schools import (
    SchoolFilters,
    count_schools,
    get_school,
    list_schools,
    parse_school_cohort,
    school_cohort_flags,
    schools_by_id_and_cohort,
)
from gateway.vocabulary import InductionProgrammeChoice, Role, TrainingProgramme
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
from tests.support import StatementCounter

ANALYST = Caller(role=Role.ANALYST)


@dataclass
class World:
    db: object
    cohort_2024: uuid.UUID
    cohort_2025: uuid.UUID
    alpha: uuid.UUID
    beta: uuid.UUID
    delivery_partner: uuid.UUID

    def provider(self, lead_provider_id: uuid.UUID) -> Caller:
        return Caller(role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id)

    async def partner(
        self, school_id: uuid.UUID, lead_provider_id: uuid.UUID, cohort_id: uuid.UUID | None = None
    ) -> uuid.UUID:
        return await make_partnership(
            self.db,
            school_id=school_id,
            lead_provider_id=lead_provider_id,
            delivery_partner_id=self.delivery_partner,
            cohort_id=cohort_id or self.cohort_2025,
        )


@pytest.fixture
async def world(empty_db) -> World:
    return World(
        db=empty_db,
        cohort_2024=await make_cohort(empty_db, 2024),
        cohort_2025=await make_cohort(empty_db, 2025),
        alpha=await make_lead_provider(empty_db, "Alpha"),
        beta=await make_lead_provider(empty_db, "Beta"),
        delivery_partner=await make_delivery_partner(empty_db, "Partner"),
    )


async def _list(world: World, caller: Caller, year: int | None = 2025, **filters) -> list:
    async with read_connection(world.db.engine) as conn:
        return await list_schools(
            conn, caller, filters=SchoolFilters(cohort_year=year, **filters), page=OffsetPage(size=3000)
        )


async def _one(world: World, caller: Caller, school_id: uuid.UUID, year: int = 2025, **options):
    async with read_connection(world.db.engine) as conn:
        return await get_school(conn, caller, school_id, cohort_year=year, **options)


class TestListSchools:
    async def test_lists_schools_eligible_for_funding_in_the_cohort(self, world):
        eligible = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=eligible, cohort_id=world.cohort_2025)
        ineligible = await make_school(world.db, urn="100002")
        await make_school_cohort(world.db, school_id=ineligible, cohort_id=world.cohort_2025, eligible=False)

        listed = await _list(world, world.provider(world.alpha))

        assert [s.id for s in listed] == [eligible]

    async def test_an_ineligible_school_partnered_by_any_provider_is_listed_for_every_provider(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025, eligible=False)
        await world.partner(school, world.beta)

        assert [s.id for s in await _list(world, world.provider(world.alpha))] == [school]
        assert [s.id for s in await _list(world, world.provider(world.beta))] == [school]

    async def test_a_school_partnered_without_a_school_cohort_row_is_listed(self, world):
        school = await make_school(world.db, urn="100001")
        await world.partner(school, world.beta)

        (listed,) = await _list(world, world.provider(world.alpha))

        assert listed.id == school
        assert listed.in_partnership is True

    async def test_eligibility_in_another_cohort_does_not_list_the_school(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2024)

        assert await _list(world, world.provider(world.alpha)) == []
        assert [s.cohort for s in await _list(world, world.provider(world.alpha), 2024)] == [2024]

    async def test_an_unknown_cohort_or_one_that_is_not_a_year_lists_nothing(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)

        assert await _list(world, world.provider(world.alpha), 2030) == []
        assert await _list(world, world.provider(world.alpha), None) == []

    async def test_urn_filter_keeps_only_that_school(self, world):
        for urn in ("100001", "100002"):
            await make_school_cohort(
                world.db, school_id=await make_school(world.db, urn=urn), cohort_id=world.cohort_2025
            )

        assert [s.urn for s in await _list(world, ANALYST, urn="100002")] == ["100002"]
        assert await _list(world, ANALYST, urn="999999") == []

    async def test_count_matches_the_list(self, world):
        for urn in ("100001", "100002", "100003"):
            await make_school_cohort(
                world.db, school_id=await make_school(world.db, urn=urn), cohort_id=world.cohort_2025
            )
        async with read_connection(world.db.engine) as conn:
            assert await count_schools(conn, ANALYST, filters=SchoolFilters(cohort_year=2025)) == 3
            assert await count_schools(conn, ANALYST, filters=SchoolFilters(cohort_year=2025, urn="100003")) == 1


class TestUpdatedAt:
    async def test_is_the_later_of_the_school_and_its_details_for_the_cohort(self, world):
        later = A_MOMENT + timedelta(days=30)
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025, updated_at=later)
        renamed = await make_school(world.db, urn="100002", updated_at=later + timedelta(days=1))
        await make_school_cohort(world.db, school_id=renamed, cohort_id=world.cohort_2025)

        updated = {s.urn: s.updated_at for s in await _list(world, ANALYST)}

        assert updated == {"100001": later, "100002": later + timedelta(days=1)}

    async def test_updated_since_is_inclusive_and_compares_that_moment(self, world):
        later = A_MOMENT + timedelta(days=30)
        changed = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=changed, cohort_id=world.cohort_2025, updated_at=later)
        unchanged = await make_school(world.db, urn="100002")
        await make_school_cohort(world.db, school_id=unchanged, cohort_id=world.cohort_2025)

        assert [s.id for s in await _list(world, ANALYST, updated_since=later)] == [changed]
        assert {s.id for s in await _list(world, ANALYST, updated_since=A_MOMENT)} == {changed, unchanged}

    async def test_sorting_by_updated_at_descending_puts_the_latest_change_first(self, world):
        ids = []
        for days, urn in ((3, "100001"), (1, "100002"), (2, "100003")):
            school = await make_school(world.db, urn=urn)
            await make_school_cohort(
                world.db, school_id=school, cohort_id=world.cohort_2025, updated_at=A_MOMENT + timedelta(days=days)
            )
            ids.append(school)
        async with read_connection(world.db.engine) as conn:
            listed = await list_schools(
                conn,
                ANALYST,
                filters=SchoolFilters(cohort_year=2025),
                order=[SortKey("updated_at", True)],
                page=OffsetPage(),
            )
        assert [s.id for s in listed] == [ids[0], ids[2], ids[1]]


class TestInPartnership:
    async def test_a_school_partnered_by_two_providers_is_in_partnership_for_both_and_for_a_third(self, world):
        gamma = await make_lead_provider(world.db, "Gamma")
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        await world.partner(school, world.alpha)
        await world.partner(school, world.beta)

        for provider in (world.alpha, world.beta, gamma):
            assert (await _one(world, world.provider(provider), school)).in_partnership is True

    async def test_a_partnership_in_another_cohort_does_not_count(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        await world.partner(school, world.alpha, world.cohort_2024)

        assert (await _one(world, world.provider(world.alpha), school)).in_partnership is False
        assert (await _one(world, world.provider(world.alpha), school, 2024)).in_partnership is True


class TestInductionProgrammeChoice:
    @pytest.mark.parametrize(
        ("programmes", "expected"),
        [
            ((), InductionProgrammeChoice.NOT_YET_KNOWN),
            ((TrainingProgramme.SCHOOL_LED,), InductionProgrammeChoice.SCHOOL_LED),
            ((TrainingProgramme.PROVIDER_LED,), InductionProgrammeChoice.PROVIDER_LED),
            ((TrainingProgramme.SCHOOL_LED, TrainingProgramme.PROVIDER_LED), InductionProgrammeChoice.PROVIDER_LED),
        ],
    )
    async def test_provider_led_wins_over_school_led_which_wins_over_not_yet_known(self, world, programmes, expected):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        for programme in programmes:
            interested = world.beta if programme is TrainingProgramme.PROVIDER_LED else None
            await make_training_period(
                world.db,
                school_id=school,
                cohort_id=world.cohort_2025,
                programme=programme,
                interested_lead_provider_id=interested,
            )

        assert (await _one(world, world.provider(world.alpha), school)).induction_programme_choice is expected

    async def test_only_periods_of_the_cohort_count(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2024, programme=TrainingProgramme.SCHOOL_LED
        )

        assert (await _one(world, ANALYST, school)).induction_programme_choice is InductionProgrammeChoice.NOT_YET_KNOWN


class TestExpressionOfInterest:
    async def _school(self, world) -> uuid.UUID:
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025, tutor="Ada Tutor")
        return school

    async def test_a_period_interested_in_the_provider_shows_interest_and_the_induction_tutor(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, interested_lead_provider_id=world.alpha
        )

        seen = await _one(world, world.provider(world.alpha), school)

        assert seen.expression_of_interest is True
        assert (seen.induction_tutor_name, seen.induction_tutor_email) == ("Ada Tutor", "ada.tutor@example.com")

    async def test_another_provider_sees_no_interest_and_no_induction_tutor(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, interested_lead_provider_id=world.alpha
        )

        seen = await _one(world, world.provider(world.beta), school)

        assert seen.expression_of_interest is False
        assert (seen.induction_tutor_name, seen.induction_tutor_email) == (None, None)

    async def test_stays_true_once_the_provider_partners_the_school_even_without_participants(self, world):
        school = await self._school(world)
        await world.partner(school, world.beta)

        seen = await _one(world, world.provider(world.beta), school)

        assert seen.expression_of_interest is True
        assert seen.induction_tutor_name == "Ada Tutor"

    async def test_a_period_under_the_providers_partnership_counts(self, world):
        school = await self._school(world)
        # The partnership is recorded in 2024; the participant's period at the school is in 2025.
        partnership = await world.partner(school, world.beta, world.cohort_2024)
        await make_training_period(world.db, school_id=school, cohort_id=world.cohort_2025, partnership_id=partnership)

        assert (await _one(world, world.provider(world.beta), school)).expression_of_interest is True
        assert (await _one(world, world.provider(world.alpha), school)).expression_of_interest is False

    async def test_interest_in_another_cohort_does_not_count(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2024, interested_lead_provider_id=world.alpha
        )

        assert (await _one(world, world.provider(world.alpha), school)).expression_of_interest is False

    async def test_an_analyst_sees_interest_in_any_provider(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, interested_lead_provider_id=world.beta
        )

        seen = await _one(world, ANALYST, school)

        assert seen.expression_of_interest is True
        assert seen.induction_tutor_name == "Ada Tutor"

    async def test_an_analyst_naming_a_provider_sees_that_providers_interest(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, interested_lead_provider_id=world.beta
        )

        assert (await _one(world, ANALYST, school, lead_provider_id=world.beta)).expression_of_interest is True
        named_alpha = await _one(world, ANALYST, school, lead_provider_id=world.alpha)
        assert named_alpha.expression_of_interest is False
        assert named_alpha.induction_tutor_name is None

    async def test_a_school_without_interest_or_partnership_shows_no_interest_to_an_analyst(self, world):
        school = await self._school(world)
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, programme=TrainingProgramme.SCHOOL_LED
        )

        assert (await _one(world, ANALYST, school)).expression_of_interest is False


class TestGetSchool:
    async def test_a_school_not_listed_in_the_cohort_is_not_found(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025, eligible=False)

        with pytest.raises(NotFound):
            await _one(world, world.provider(world.alpha), school)

    async def test_an_unknown_cohort_is_not_found(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)

        with pytest.raises(NotFound):
            await _one(world, world.provider(world.alpha), school, 2030)

    async def test_reads_the_school_in_the_requested_cohort(self, world):
        school = await make_school(world.db, urn="100001", name="Oak Primary")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2024)

        seen = await _one(world, world.provider(world.alpha), school, 2024)

        assert (seen.id, seen.name, seen.urn, seen.cohort, seen.cohort_id) == (
            school,
            "Oak Primary",
            "100001",
            2024,
            world.cohort_2024,
        )


class TestSchoolsByIdAndCohort:
    async def test_returns_exactly_the_requested_pairs_even_when_not_listed(self, world):
        first = await make_school(world.db, urn="100001")
        second = await make_school(world.db, urn="100002")
        await make_school_cohort(world.db, school_id=first, cohort_id=world.cohort_2025)
        keys = [(first, world.cohort_2025), (second, world.cohort_2024), (uuid.uuid4(), world.cohort_2025)]

        async with read_connection(world.db.engine) as conn:
            found = await schools_by_id_and_cohort(conn, world.provider(world.alpha), keys)

        assert set(found) == {(first, world.cohort_2025), (second, world.cohort_2024)}
        assert found[(second, world.cohort_2024)].cohort == 2024


class TestSchoolCohortFlags:
    async def test_reads_what_the_list_reports_for_each_school(self, world):
        partnered = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=partnered, cohort_id=world.cohort_2025, tutor="Ann Tutor")
        partnership = await world.partner(partnered, world.alpha)
        await make_training_period(
            world.db, school_id=partnered, cohort_id=world.cohort_2025, partnership_id=partnership
        )
        interested_elsewhere = await make_school(world.db, urn="100002")
        await make_school_cohort(
            world.db, school_id=interested_elsewhere, cohort_id=world.cohort_2025, tutor="Bo Tutor"
        )
        await make_training_period(
            world.db,
            school_id=interested_elsewhere,
            cohort_id=world.cohort_2025,
            programme=TrainingProgramme.SCHOOL_LED,
            interested_lead_provider_id=world.beta,
        )
        alpha = world.provider(world.alpha)
        listed = await _list(world, alpha)

        async with read_connection(world.db.engine) as conn:
            flags = await school_cohort_flags(conn, alpha, [row.flags_key for row in listed])

        assert {key[0]: value for key, value in flags.items()} == {row.id: row.flags for row in listed}
        assert flags[(partnered, world.cohort_2025, world.alpha)].induction_tutor_name == "Ann Tutor"
        assert flags[(interested_elsewhere, world.cohort_2025, world.alpha)].induction_tutor_name is None

    async def test_a_provider_reads_its_own_interest_whatever_the_key_names(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025, tutor="Bo Tutor")
        await make_training_period(
            world.db, school_id=school, cohort_id=world.cohort_2025, interested_lead_provider_id=world.beta
        )

        async with read_connection(world.db.engine) as conn:
            flags = await school_cohort_flags(
                conn, world.provider(world.alpha), [(school, world.cohort_2025, world.beta)]
            )

        (found,) = flags.values()
        assert not found.expression_of_interest and found.induction_tutor_name is None

    async def test_every_subquery_reads_only_the_schools_asked_for(self, world):
        school = await make_school(world.db, urn="100001")
        await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)

        async with read_connection(world.db.engine) as conn:
            with StatementCounter(world.db.engine) as counter:
                await school_cohort_flags(conn, world.provider(world.alpha), [(school, world.cohort_2025, world.alpha)])

        [statement] = counter.statements
        subqueries = _subqueries(statement, "EXISTS (SELECT") + _subqueries(statement, "IN (SELECT")
        assert len(subqueries) >= 6  # partnered, two programme choices, interest (partnered, period, own partnerships)
        for subquery in subqueries:
            assert ".school_id IN (" in subquery or ".school_id = ANY (" in subquery, subquery


def _subqueries(statement: str, opening: str) -> list[str]:
    """The parenthesised subqueries of ``statement`` that start with ``opening``."""
    found = []
    start = statement.find(opening)
    while start != -1:
        begin = start + len(opening) - len("(SELECT")
        depth = 0
        for end, char in enumerate(statement[begin:], begin):
            depth += {"(": 1, ")": -1}.get(char, 0)
            if depth == 0:
                found.append(statement[begin : end + 1])
                break
        start = statement.find(opening, start + 1)
    return found


class TestKeysetPaging:
    async def test_pages_of_two_return_every_school_once_in_order(self, world):
        for i in range(5):
            school = await make_school(world.db, urn=f"10000{i}", created_at=A_MOMENT + timedelta(hours=i % 2))
            await make_school_cohort(world.db, school_id=school, cohort_id=world.cohort_2025)
        order = [SortKey("created_at")]
        seen, after = [], None
        async with read_connection(world.db.engine) as conn:
            while True:
                page = await list_schools(
                    conn, ANALYST, filters=SchoolFilters(cohort_year=2025), order=order, page=KeysetPage(2, after)
                )
                seen.extend(page[:2])
                if len(page) <= 2:
                    break
                after = (page[1].created_at, page[1].id)
        assert len(seen) == 5
        assert [(s.created_at, s.id) for s in seen] == sorted((s.created_at, s.id) for s in seen)


class TestParseSchoolCohort:
    @pytest.mark.parametrize(
        ("value", "expected"), [("2025", 2025), (" 2024 ", 2024), ("2024,2025", None), ("abc", None), ("", None)]
    )
    def test_one_year_or_nothing(self, value, expected):
        assert parse_school_cohort(value) == expected
