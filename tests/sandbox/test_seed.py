"""The sandbox data set: deterministic, and holding every documented case."""

from __future__ import annotations

import hashlib
import io
import re
import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import ClassVar

import pytest
from sqlalchemy import func, inspect, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.migrate import upgrade_to_head
from gateway.db.tables import (
    ApiToken,
    Cohort,
    Declaration,
    DeliveryPartner,
    LeadProvider,
    Milestone,
    Participant,
    ParticipantIdChange,
    Partnership,
    ProviderRelationship,
    Schedule,
    School,
    SchoolCohort,
    Statement,
    TrainingPeriod,
    TrainingRecord,
    metadata,
)
from gateway.domain.declaration_digest import submission_digest
from gateway.domain.errors import NotFound
from gateway.domain.tokens import digest
from gateway.sandbox.bulk import SCHOOLS_PER_UNIT, unit_batch
from gateway.sandbox.cases import CASE_TABLES, DECLARATION_IN_STATE, DEFERRED, WITHDRAWN, Case, case_id, find_case
from gateway.sandbox.encoding import RowEncoder
from gateway.sandbox.parallel import PARALLEL_FROM_UNITS, bulk_units
from gateway.sandbox.progress import ProgressBar
from gateway.sandbox.reference import (
    AMBITION,
    DELIVERY_PARTNER_OF_TWO_PROVIDERS,
    DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS,
    TEACH_FIRST,
    Reference,
    cohort_id,
    lead_provider_id,
)
from gateway.sandbox.seed import LEAD_PROVIDER_NAMES, sandbox_tokens, seed_sandbox
from gateway.vocabulary import (
    BILLABLE_STATES,
    DeclarationState,
    DeferralReason,
    ParticipantType,
    ScheduleIdentifier,
    StatementStatus,
    TransferStatus,
    TransferType,
    WithdrawalReason,
)

T = {model.__tablename__: model.__table__ for model in (
    ApiToken, Cohort, Declaration, DeliveryPartner, LeadProvider, Milestone, Participant, ParticipantIdChange, Partnership,
    ProviderRelationship, Schedule, School, SchoolCohort, Statement, TrainingPeriod, TrainingRecord,
)}  # fmt: skip


async def rows(conn: AsyncConnection, table: str, *where) -> list:
    return (await conn.execute(select(T[table]).where(*where))).all()


async def periods_by_record(conn: AsyncConnection) -> dict:
    periods, partnerships = T["training_periods"], T["partnerships"]
    result = await conn.execute(
        select(periods, partnerships.c.lead_provider_id, partnerships.c.delivery_partner_id)
        .select_from(periods.outerjoin(partnerships, partnerships.c.id == periods.c.partnership_id))
        .order_by(periods.c.started_on)
    )
    grouped = defaultdict(list)
    for row in result:
        grouped[row.training_record_id].append(row)
    return grouped


@pytest.fixture
async def conn(readonly_db):
    async with readonly_db.engine.connect() as connection:
        yield connection


class TestMigrations:
    async def test_migrations_build_every_table_on_an_empty_database(self, empty_db):
        async with empty_db.engine.connect() as connection:
            names = await connection.run_sync(lambda sync: set(inspect(sync).get_table_names()))
        assert set(metadata.tables) <= names


# The ids of unit 0 as the sandbox has always drawn them (see test_the_first_unit_is_the_one_scale_one_has_always_had).
FIRST_UNIT_IDS_SHA256 = "5aa72b1c9088ecf68b746d26562064ba22ed21dc1eaa7d6607bd482be6a332fc"


async def _seeded_at_scale(databases, scale: int):
    db = await databases.create()
    await upgrade_to_head(db.engine)
    summary = await seed_sandbox(db.engine, scale=scale)
    return db, summary


async def _ids_and_counts(engine) -> tuple[dict, dict]:
    async with engine.connect() as connection:
        ids = {
            name: sorted((await connection.execute(select(table.c.id))).scalars())
            for name, table in metadata.tables.items()
            if "id" in table.c
        }
    return ids, {name: len(values) for name, values in ids.items()}


@pytest.fixture(scope="module")
async def scale_two(databases):
    """Two fresh databases seeded at scale 2: the cases, unit 0 (all of scale 1) and unit 1 (the profile of the large scales)."""
    seeded = [await _seeded_at_scale(databases, 2) for _ in range(2)]
    yield seeded
    for db, _ in seeded:
        await db.engine.dispose()


class TestDeterminism:
    async def test_two_seeds_into_fresh_databases_write_the_same_ids_and_counts(self, scale_two):
        (db_a, summary_a), (db_b, summary_b) = scale_two
        ids_a, counts_a = await _ids_and_counts(db_a.engine)
        ids_b, counts_b = await _ids_and_counts(db_b.engine)
        assert summary_a.counts == summary_b.counts
        assert counts_a == counts_b
        assert ids_a == ids_b
        assert counts_a["participants"] > 2000 and counts_a["declarations"] > 9000

    def test_the_first_unit_is_the_one_scale_one_has_always_had(self):
        # Many tests read scale 1 row by row: its ids and counts must not move when the large scales are tuned.
        now = datetime.combine(clock.today(), time.min, tzinfo=UTC)
        first = unit_batch(Reference(now.date()), 0, now=now).tables
        assert {name: len(rows) for name, rows in first.items()} == {
            "schools": 40,
            "school_cohorts": 240,
            "partnerships": 187,
            "participants": 1092,
            "training_records": 1092,
            "training_periods": 1125,
            "declarations": 4782,
            "participant_id_changes": 10,
        }
        ids = "".join(str(row["id"]) for name in sorted(first) for row in first[name])
        assert hashlib.sha256(ids.encode()).hexdigest() == FIRST_UNIT_IDS_SHA256

    async def test_a_second_seed_writes_nothing_and_says_so_unless_reset(self, empty_db):
        first = await seed_sandbox(empty_db.engine, scale=1)
        again = await seed_sandbox(empty_db.engine, scale=1)
        assert again.counts == {} and "already holds rows" in str(again)
        async with empty_db.engine.connect() as connection:
            assert (
                await connection.scalar(select(func.count()).select_from(T["participants"]))
                == first.counts["participants"]
            )
        reset = await seed_sandbox(empty_db.engine, scale=1, reset=True)
        assert reset.counts == first.counts
        assert "participants" in str(reset)

    async def test_progress_goes_to_standard_error(self, empty_db, capsys):
        await seed_sandbox(empty_db.engine, scale=1, progress=True)
        captured = capsys.readouterr()
        assert "100%" in captured.err and captured.out == ""

    async def test_a_worker_process_builds_the_same_units_as_the_seeding_process(self, readonly_db):
        now = datetime.combine(clock.today(), time.min, tzinfo=UTC)
        reference = Reference(now.date())
        dialect = readonly_db.engine.dialect
        built = [rows async for rows in bulk_units(reference, PARALLEL_FROM_UNITS, now=now, dialect=dialect)]
        assert len(built) == PARALLEL_FROM_UNITS
        encoder = RowEncoder(dialect)
        for unit, rows in enumerate(built):
            assert rows == encoder.encode(unit_batch(reference, unit, now=now))
        assert built[0]["participants"][0] != built[1]["participants"][0]


class TestScales:
    async def test_scale_two_is_scale_one_and_one_more_unit(self, scale_two, readonly_db):
        (db, summary), _ = scale_two
        _, two = await _ids_and_counts(db.engine)
        _, one = await _ids_and_counts(readonly_db.engine)
        seeded = set(summary.counts)  # other tests issue tokens in the shared scale-1 database
        assert {name: count for name, count in two.items() if count} == summary.counts
        grown = {name: two[name] - one[name] for name in seeded if two[name] != one[name]}
        assert set(grown) == {
            "schools", "school_cohorts", "partnerships", "participants", "training_records", "training_periods",
            "declarations", "participant_id_changes",
        }  # fmt: skip
        assert grown["schools"] == SCHOOLS_PER_UNIT
        assert 900 <= grown["participants"] <= 1300
        assert 4500 <= grown["declarations"] <= 5500
        assert grown["training_periods"] >= grown["participants"]

    def test_later_units_average_about_five_thousand_declarations(self):
        # So that --scale 100 writes about 100,000 participants and 500,000 declarations, as the issue asks.
        now = datetime.combine(clock.today(), time.min, tzinfo=UTC)
        reference = Reference(now.date())
        units = [unit_batch(reference, unit, now=now).tables for unit in range(1, 11)]
        declarations = sum(len(unit["declarations"]) for unit in units) / len(units)
        participants = sum(len(unit["participants"]) for unit in units) / len(units)
        assert 4850 <= declarations <= 5150
        assert 1000 <= participants <= 1100

    async def test_the_planner_has_statistics_for_the_seeded_rows(self, scale_two):
        (db, summary), _ = scale_two
        async with db.engine.connect() as connection:
            if db.is_postgres:
                analysed = (
                    await connection.execute(
                        text(
                            "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN ('participants', 'declarations')"
                        )
                    )
                ).all()
                assert len(analysed) == 2 and all(last_analyze is not None for _, last_analyze in analysed)
                estimated = await connection.scalar(
                    text("SELECT reltuples FROM pg_class WHERE relname = 'declarations'")
                )
            else:
                stats = (
                    await connection.execute(
                        text("SELECT tbl, stat FROM sqlite_stat1 WHERE tbl IN ('participants', 'declarations')")
                    )
                ).all()
                assert {tbl for tbl, _ in stats} == {"participants", "declarations"}
                estimated = max(int(stat.split()[0]) for tbl, stat in stats if tbl == "declarations")
        assert estimated == summary.counts["declarations"]

    async def test_the_indexes_are_those_the_migrations_made(self, scale_two, empty_db):
        # The bulk load drops the secondary indexes of the bulk tables and builds them again at the end.
        async def indexes(engine) -> list:
            async with engine.connect() as connection:
                if engine.dialect.name == "postgresql":
                    query = "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname"
                else:
                    query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' ORDER BY name"
                return (await connection.execute(text(query))).all()

        (db, _), _ = scale_two
        migrated = await indexes(empty_db.engine)
        assert any(name == "ix_declarations_participant_id" for name, _ in migrated)
        assert await indexes(db.engine) == migrated


class TestProgress:
    COUNTS: ClassVar[dict[str, int]] = {
        "schools": 90,
        "participants": 2155,
        "training_periods": 2229,
        "declarations": 9517,
        "statements": 1830,
    }

    def test_a_log_gets_a_plain_line_per_tenth_with_the_rows_by_table(self):
        stream = io.StringIO()
        bar = ProgressBar(100, enabled=True, stream=stream, interactive=False)
        for _ in range(100):
            bar.advance(self.COUNTS)
        bar.close()
        lines = stream.getvalue().splitlines()
        assert "\r" not in stream.getvalue() and len(lines) == 10
        assert lines[0].startswith("seeding [###") and " 10% " in lines[0] and "100%" in lines[-1]
        assert (
            "participants 2,155" in lines[-1]
            and "declarations 9,517" in lines[-1]
            and "all tables 15,821 rows" in lines[-1]
        )

    def test_a_terminal_gets_one_line_redrawn(self):
        stream = io.StringIO()
        bar = ProgressBar(3, enabled=True, stream=stream, interactive=True)
        for _ in range(3):
            bar.advance(self.COUNTS)
        bar.close()
        output = stream.getvalue()
        assert output.count("\r") == 3 and output.endswith("\n") and output.count("\n") == 1
        assert "to go" in output.split("\r")[1] and "100%" in output.split("\r")[-1]

    def test_nothing_when_disabled(self):
        stream = io.StringIO()
        bar = ProgressBar(3, enabled=False, stream=stream)
        bar.advance(self.COUNTS)
        bar.close()
        assert stream.getvalue() == ""


class TestReferenceData:
    async def test_cohorts_2021_to_2026_with_their_flags(self, conn):
        cohorts = {row.year: row for row in await rows(conn, "cohorts")}
        assert sorted(cohorts) == [2021, 2022, 2023, 2024, 2025, 2026]
        assert cohorts[2021].payments_frozen_at == datetime(2024, 6, 18, tzinfo=UTC)
        assert cohorts[2022].payments_frozen_at == datetime(2025, 6, 16, tzinfo=UTC)
        assert all(cohorts[year].payments_frozen_at is None for year in range(2023, 2027))
        assert [year for year, c in cohorts.items() if c.mentor_funding and c.detailed_evidence_types] == [2025, 2026]
        assert [year for year, c in cohorts.items() if c.registration_open] == [2024, 2025, 2026]
        assert all(c.starts_on == date(year, 6, 1) for year, c in cohorts.items())

    async def test_lead_providers_are_the_real_ones(self, conn):
        assert sorted(row.name for row in await rows(conn, "lead_providers")) == sorted(LEAD_PROVIDER_NAMES)
        assert len(LEAD_PROVIDER_NAMES) >= 3

    async def test_every_cohort_has_the_twelve_schedules_with_their_milestones(self, conn):
        schedules = await rows(conn, "schedules")
        milestones = defaultdict(dict)
        for m in await rows(conn, "milestones"):
            milestones[m.schedule_id][m.declaration_type] = (m.start_date, m.milestone_date)
        years = {c.id: c.year for c in await rows(conn, "cohorts")}
        by_key = {(years[s.cohort_id], s.identifier): s.id for s in schedules}
        assert len(schedules) == 6 * 12 and {identifier for _, identifier in by_key} == {
            i.value for i in ScheduleIdentifier
        }
        for (year, identifier), schedule in by_key.items():
            expected = 9 if "extended" in identifier else 6
            assert len(milestones[schedule]) == expected, (year, identifier)
        standard_2022 = milestones[by_key[(2022, "ecf-standard-september")]]
        assert standard_2022["started"] == (date(2022, 6, 1), date(2022, 12, 31))
        assert standard_2022["completed"] == (date(2024, 4, 1), date(2024, 7, 31))
        assert milestones[by_key[(2024, "ecf-standard-april")]]["completed"] == (date(2027, 1, 1), date(2027, 3, 31))
        assert milestones[by_key[(2021, "ecf-standard-september")]]["retained-1"] == (
            date(2021, 9, 1),
            date(2022, 1, 31),
        )
        assert set(milestones[by_key[(2023, "ecf-extended-january")]].values()) == {(date(2024, 1, 1), None)}
        assert set(milestones[by_key[(2025, "ecf-standard-september")]].values()) == {(date(2025, 6, 1), None)}
        assert set(milestones[by_key[(2025, "ecf-standard-april")]].values()) == {(date(2026, 4, 1), None)}

    async def test_some_delivery_partners_work_in_some_cohorts_and_not_others(self, conn):
        years = {c.id: c.year for c in await rows(conn, "cohorts")}
        work = defaultdict(set)
        for r in await rows(conn, "provider_relationships"):
            work[(r.delivery_partner_id, r.lead_provider_id)].add(years[r.cohort_id])
        stopped = work[(case_id(Case.DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS), lead_provider_id(AMBITION))]
        assert stopped == {2021, 2022, 2023}
        two = case_id(Case.DELIVERY_PARTNER_OF_TWO_PROVIDERS)
        assert work[(two, lead_provider_id(AMBITION))] & work[(two, lead_provider_id(TEACH_FIRST))]
        names = {row.id: row.name for row in await rows(conn, "delivery_partners")}
        assert names[two] == DELIVERY_PARTNER_OF_TWO_PROVIDERS
        assert names[case_id(Case.DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS)] == DELIVERY_PARTNER_WITHOUT_RECENT_COHORTS

    async def test_every_partnership_has_a_provider_relationship(self, conn):
        relationships = {
            (r.lead_provider_id, r.delivery_partner_id, r.cohort_id) for r in await rows(conn, "provider_relationships")
        }
        assert all(
            (p.lead_provider_id, p.delivery_partner_id, p.cohort_id) in relationships
            for p in await rows(conn, "partnerships")
        )


class TestStatements:
    async def test_one_statement_a_month_per_provider_and_cohort_with_the_published_calendar(self, conn):
        statements = await rows(conn, "statements")
        per_pair = defaultdict(list)
        for s in statements:
            per_pair[(s.lead_provider_id, s.cohort_id)].append(s)
            first_of_month = date(s.year, s.month, 1)
            assert s.cut_off_date == first_of_month - timedelta(days=1)
            assert s.payment_date == date(s.year, s.month, 25)
            assert s.output_fee == (s.month in (1, 4, 8, 11))
        assert len(per_pair) == len(LEAD_PROVIDER_NAMES) * 6
        for months in per_pair.values():
            indexes = sorted(s.year * 12 + s.month for s in months)
            assert indexes == list(range(indexes[0], indexes[0] + len(indexes)))

    async def test_statuses_follow_today_and_open_statements_reach_18_months_ahead(self, conn):
        today = clock.today()
        statements = await rows(conn, "statements")
        for s in statements:
            if s.status == StatementStatus.PAID:
                assert s.payment_date < today and s.paid_at is not None
            elif s.status == StatementStatus.PAYABLE:
                assert s.cut_off_date < today and s.paid_at is None
            else:
                assert s.status == StatementStatus.OPEN and s.cut_off_date >= today and s.paid_at is None
        horizon = today + timedelta(days=18 * 31)
        per_pair = defaultdict(list)
        for s in statements:
            per_pair[(s.lead_provider_id, s.cohort_id)].append(s)
        for months in per_pair.values():
            assert max(s.payment_date for s in months if s.status == StatementStatus.OPEN) >= horizon
            assert any(s.status == StatementStatus.PAYABLE and s.output_fee for s in months)
            assert any(s.status == StatementStatus.PAID and s.output_fee for s in months)


class TestSchools:
    async def test_urns_are_six_digits_and_schools_are_eligible_or_not_with_or_without_tutor(self, conn):
        assert all(re.fullmatch(r"\d{6}", s.urn) for s in await rows(conn, "schools"))
        school_cohorts = await rows(conn, "school_cohorts")
        assert {sc.eligible_for_funding for sc in school_cohorts} == {True, False}
        assert {sc.induction_tutor_name is None for sc in school_cohorts} == {True, False}
        ineligible = await rows(
            conn, "school_cohorts", T["school_cohorts"].c.school_id == case_id(Case.INELIGIBLE_SCHOOL)
        )
        assert len(ineligible) == 6 and not any(sc.eligible_for_funding for sc in ineligible)
        no_tutor = await rows(
            conn, "school_cohorts", T["school_cohorts"].c.school_id == case_id(Case.SCHOOL_WITHOUT_INDUCTION_TUTOR)
        )
        assert all(sc.eligible_for_funding and sc.induction_tutor_name is None for sc in no_tutor)

    async def test_one_school_is_partnered_by_two_providers_in_the_same_cohort(self, conn):
        partnerships = T["partnerships"]
        doubles = (
            await conn.execute(
                select(partnerships.c.school_id, partnerships.c.cohort_id)
                .group_by(partnerships.c.school_id, partnerships.c.cohort_id)
                .having(func.count(func.distinct(partnerships.c.lead_provider_id)) > 1)
            )
        ).all()
        assert (case_id(Case.SCHOOL_PARTNERED_BY_TWO_PROVIDERS), cohort_id(2024)) in {tuple(row) for row in doubles}

    async def test_a_school_has_expressions_of_interest_and_no_partnership(self, conn):
        school = case_id(Case.SCHOOL_WITH_EXPRESSION_OF_INTEREST)
        periods = await rows(conn, "training_periods", T["training_periods"].c.school_id == school)
        interested = {p.expression_of_interest_lead_provider_id for p in periods}
        assert lead_provider_id(AMBITION) in interested and len(interested) == 2
        assert all(p.partnership_id is None and p.training_programme == "provider_led" for p in periods)
        assert await rows(conn, "partnerships", T["partnerships"].c.school_id == school) == []

    async def test_provider_led_and_school_led_periods_are_consistent(self, conn):
        periods = await rows(conn, "training_periods")
        schedules = {s.id: s.cohort_id for s in await rows(conn, "schedules")}
        programmes = defaultdict(int)
        for p in periods:
            provider_led = p.partnership_id is not None or p.expression_of_interest_lead_provider_id is not None
            assert p.training_programme == ("provider_led" if provider_led else "school_led")
            assert not (p.partnership_id and p.expression_of_interest_lead_provider_id)
            if p.schedule_id is not None:
                assert schedules[p.schedule_id] == p.cohort_id
            else:
                assert not provider_led
            programmes[p.training_programme] += 1
        assert programmes["provider_led"] and programmes["school_led"]
        school_led = await rows(
            conn, "training_periods", T["training_periods"].c.school_id == case_id(Case.SCHOOL_LED_ONLY_SCHOOL)
        )
        assert school_led and all(p.training_programme == "school_led" for p in school_led)
        assert any(p.schedule_id is None for p in school_led)


class TestParticipants:
    async def test_trns_are_seven_digits_and_two_distinct_participants_share_one(self, conn):
        participants = await rows(conn, "participants")
        assert all(
            p.teacher_reference_number is None or re.fullmatch(r"\d{7}", p.teacher_reference_number)
            for p in participants
        )
        by_id = {p.id: p for p in participants}
        first, second = by_id[case_id(Case.TRN_TWIN_FIRST)], by_id[case_id(Case.TRN_TWIN_SECOND)]
        assert first.teacher_reference_number == second.teacher_reference_number and first.id != second.id

    async def test_one_participant_is_an_ect_and_then_a_mentor(self, conn):
        records = await rows(
            conn, "training_records", T["training_records"].c.participant_id == case_id(Case.ECT_THEN_MENTOR)
        )
        assert sorted(r.participant_type for r in records) == ["ect", "mentor"]
        periods = await periods_by_record(conn)
        ect = next(r for r in records if r.participant_type == "ect")
        mentor = next(r for r in records if r.participant_type == "mentor")
        assert periods[ect.id][-1].finished_on < periods[mentor.id][0].started_on

    async def test_ects_have_mentors_and_some_mentors_are_unfunded(self, conn):
        periods = await periods_by_record(conn)
        records = {r.id: r for r in await rows(conn, "training_records")}
        providers_of_mentor = defaultdict(set)
        for record_id, record_periods in periods.items():
            if records[record_id].participant_type == "mentor":
                providers_of_mentor[records[record_id].participant_id] |= {
                    p.lead_provider_id for p in record_periods if p.lead_provider_id
                }
        unfunded = set()
        for record_periods in periods.values():
            for p in record_periods:
                if p.mentor_id and p.lead_provider_id and p.lead_provider_id not in providers_of_mentor[p.mentor_id]:
                    unfunded.add((p.lead_provider_id, p.mentor_id))
        assert (lead_provider_id(AMBITION), case_id(Case.UNFUNDED_MENTOR)) in unfunded
        assert (lead_provider_id(AMBITION), case_id(Case.FUNDED_MENTOR)) not in unfunded
        mentored = [p for ps in periods.values() for p in ps if p.mentor_id]
        assert len(mentored) > 100

    async def test_participant_id_changes_point_from_a_merged_identity_to_a_participant(self, conn):
        changes = await rows(conn, "participant_id_changes")
        ids = {p.id for p in await rows(conn, "participants")}
        assert changes and all(c.to_participant_id in ids and c.from_participant_id not in ids for c in changes)
        mine = [c for c in changes if c.to_participant_id == case_id(Case.ECT_WITH_ID_CHANGE)]
        assert [c.from_participant_id for c in mine] == [case_id(Case.MERGED_AWAY_PARTICIPANT)]

    async def test_funding_facts_vary(self, conn):
        records = await rows(conn, "training_records")
        assert {r.eligible_for_funding for r in records} == {True, False, None}
        assert any(r.pupil_premium_uplift for r in records) and any(r.sparsity_uplift for r in records)
        assert any(r.mentor_funding_end_date for r in records) and any(r.induction_end_date for r in records)
        assert any(r.cohort_changed_after_payments_frozen for r in records)


def participant_status(period, today: date) -> str:
    """domain.md section 5, first match: the school's view, whatever the provider did."""
    if period.school_withdrawn_at:
        return "withdrawn"
    if period.leaving_on:
        return "leaving" if period.leaving_on > today else "left"
    return "joining" if period.started_on > today else "active"


class TestTrainingPeriods:
    @pytest.mark.parametrize(
        ("case", "status"),
        [
            (Case.ACTIVE_ECT, "active"),
            (Case.JOINING_ECT, "joining"),
            (Case.LEAVING_ECT, "leaving"),
            (Case.LEFT_ECT, "left"),
            (Case.SCHOOL_WITHDRAWN_ECT, "withdrawn"),
            (Case.WITHDRAWN_AND_LEAVING_ECT, "leaving"),
            (Case.WITHDRAWN_MOVED_SCHOOL, "active"),
            (Case.DEFERRED_PARENTAL_LEAVE, "active"),
        ],
    )
    async def test_a_participant_in_each_status_relative_to_today(self, conn, case, status):
        periods = await periods_by_record(conn)
        records = await rows(conn, "training_records", T["training_records"].c.participant_id == case_id(case))
        assert participant_status(periods[records[0].id][-1], clock.today()) == status

    async def test_a_withdrawn_period_for_each_reason(self, conn):
        periods = await rows(conn, "training_periods", T["training_periods"].c.withdrawn_at.is_not(None))
        assert {p.withdrawal_reason for p in periods} == {r.value for r in WithdrawalReason}
        assert all(p.finished_on == p.withdrawn_at.date() for p in periods)
        records = {r.id: r for r in await rows(conn, "training_records")}
        for reason, case in WITHDRAWN.items():
            mine = [p for p in periods if records[p.training_record_id].participant_id == case_id(case)]
            assert [p.withdrawal_reason for p in mine] == [reason.value]
        mentor_only = [p for p in periods if p.withdrawal_reason == WithdrawalReason.MENTOR_NO_LONGER_BEING_MENTOR]
        assert all(records[p.training_record_id].participant_type == "mentor" for p in mentor_only)

    async def test_a_deferred_period_for_each_reason(self, conn):
        periods = await rows(conn, "training_periods", T["training_periods"].c.deferred_at.is_not(None))
        assert {p.deferral_reason for p in periods} == {r.value for r in DeferralReason}
        records = {r.id: r for r in await rows(conn, "training_records")}
        for reason, case in DEFERRED.items():
            assert [
                p.deferral_reason for p in periods if records[p.training_record_id].participant_id == case_id(case)
            ] == [reason.value]


def transfers_of(record_periods: list, today: date) -> list[tuple[TransferType, TransferStatus]]:
    """domain.md section 5: a period the school reported leaving, followed by one at another school, or by none."""
    found = []
    for i, leaving in enumerate(record_periods):
        if leaving.leaving_on is None:
            continue
        joining = record_periods[i + 1] if i + 1 < len(record_periods) else None
        if joining is not None and joining.school_id == leaving.school_id:
            continue
        if joining is None:
            kind = TransferType.UNKNOWN
        else:
            kind = (
                TransferType.NEW_PROVIDER
                if joining.lead_provider_id != leaving.lead_provider_id
                else TransferType.NEW_SCHOOL
            )
        future = leaving.leaving_on > today or (joining is not None and joining.started_on > today)
        found.append((kind, TransferStatus.INCOMPLETE if future else TransferStatus.COMPLETE))
    return found


class TestTransfers:
    @pytest.mark.parametrize(
        ("case", "expected"),
        [
            (Case.TRANSFER_NEW_SCHOOL, (TransferType.NEW_SCHOOL, TransferStatus.COMPLETE)),
            (Case.TRANSFER_NEW_PROVIDER, (TransferType.NEW_PROVIDER, TransferStatus.COMPLETE)),
            (Case.TRANSFER_UNKNOWN, (TransferType.UNKNOWN, TransferStatus.COMPLETE)),
            (Case.TRANSFER_INCOMPLETE, (TransferType.NEW_SCHOOL, TransferStatus.INCOMPLETE)),
        ],
    )
    async def test_each_kind_of_transfer(self, conn, case, expected):
        periods = await periods_by_record(conn)
        (record,) = await rows(conn, "training_records", T["training_records"].c.participant_id == case_id(case))
        assert transfers_of(periods[record.id], clock.today()) == [expected]

    async def test_the_bulk_has_transfers_of_every_kind(self, conn):
        today = clock.today()
        kinds = {
            t
            for record_periods in (await periods_by_record(conn)).values()
            for t, _ in transfers_of(record_periods, today)
        }
        assert kinds == set(TransferType)

    async def test_each_providers_feed_is_a_believable_few_school_moves(self, conn):
        # Only the school's leaving makes a transfer: the withdrawals, deferrals and completed training of the
        # bulk are not in it, so a feed holds a few moves, far fewer than the participants trained.
        today = clock.today()
        periods = await periods_by_record(conn)
        for name in LEAD_PROVIDER_NAMES:
            mine = [rp for rp in periods.values() if any(p.lead_provider_id == lead_provider_id(name) for p in rp)]
            moves = [kind for record_periods in mine for kind, _ in transfers_of(record_periods, today)]
            assert 0 < len(moves) < len(mine) / 5, (name, len(moves), len(mine))
        ambition = [rp for rp in periods.values() if any(p.lead_provider_id == lead_provider_id(AMBITION) for p in rp)]
        kinds = [kind for record_periods in ambition for kind, _ in transfers_of(record_periods, today)]
        assert {kind: kinds.count(kind) >= 3 for kind in TransferType} == {kind: True for kind in TransferType}
        stopped = [p for record_periods in periods.values() for p in record_periods if p.withdrawn_at or p.deferred_at]
        assert len(stopped) > 50
        assert [p.leaving_on for p in stopped if p.leaving_on] == [clock.today() + timedelta(days=45)]


class TestDeclarations:
    async def test_every_state_is_there_and_each_case_is_in_its_state(self, conn):
        declarations = {d.id: d for d in await rows(conn, "declarations")}
        assert {d.state for d in declarations.values()} == {s.value for s in DeclarationState}
        for state, case in DECLARATION_IN_STATE.items():
            assert declarations[case_id(case)].state == state.value, case

    async def test_statements_of_declarations_match_their_state(self, conn):
        statements = {s.id: s for s in await rows(conn, "statements")}
        required = {
            DeclarationState.ELIGIBLE: StatementStatus.OPEN,
            DeclarationState.PAYABLE: StatementStatus.PAYABLE,
            DeclarationState.PAID: StatementStatus.PAID,
            DeclarationState.AWAITING_CLAWBACK: StatementStatus.PAID,
            DeclarationState.CLAWED_BACK: StatementStatus.PAID,
        }
        for d in await rows(conn, "declarations"):
            state = DeclarationState(d.state)
            if state in required:
                statement = statements[d.statement_id]
                assert statement.status == required[state] and statement.output_fee, d
                assert (statement.lead_provider_id, statement.cohort_id) == (d.lead_provider_id, d.cohort_id)
            else:
                assert d.statement_id is None, d
            if state in (DeclarationState.AWAITING_CLAWBACK, DeclarationState.CLAWED_BACK):
                clawback = statements[d.clawback_statement_id]
                assert clawback.output_fee and clawback.cut_off_date > statements[d.statement_id].cut_off_date
                # Awaiting: the clawback statement has not been paid yet (open, or payable since its cut-off passed).
                assert (clawback.status == StatementStatus.PAID) == (state is DeclarationState.CLAWED_BACK)
                assert d.voided_at is not None
            else:
                assert d.clawback_statement_id is None
            assert (d.voided_at is not None) == (
                state in (DeclarationState.VOIDED, DeclarationState.AWAITING_CLAWBACK, DeclarationState.CLAWED_BACK)
            )
            assert (d.ineligible_for_funding_reason == "duplicate_declaration") == (
                state is DeclarationState.INELIGIBLE
            )

    async def test_the_awaiting_clawback_case_waits_on_an_open_statement(self, conn):
        (declaration,) = await rows(
            conn, "declarations", T["declarations"].c.id == case_id(Case.DECLARATION_AWAITING_CLAWBACK)
        )
        (clawback,) = await rows(conn, "statements", T["statements"].c.id == declaration.clawback_statement_id)
        assert clawback.status == StatementStatus.OPEN

    async def test_at_most_one_billable_declaration_per_record_and_type(self, conn):
        slots = defaultdict(int)
        for d in await rows(conn, "declarations", T["declarations"].c.state.in_([s.value for s in BILLABLE_STATES])):
            slots[(d.training_record_id, d.declaration_type)] += 1
        assert slots and max(slots.values()) == 1

    async def test_the_ineligible_duplicate_shares_a_trn_with_a_billable_declaration(self, conn):
        participants = {p.id: p for p in await rows(conn, "participants")}
        declarations = await rows(conn, "declarations")
        billable = {
            (
                participants[d.participant_id].teacher_reference_number,
                d.declaration_type,
                d.course_identifier,
                d.participant_id,
            )
            for d in declarations
            if d.state in {s.value for s in BILLABLE_STATES}
        }
        for d in declarations:
            if d.state == DeclarationState.INELIGIBLE:
                trn = participants[d.participant_id].teacher_reference_number
                assert any(
                    t == trn and ty == d.declaration_type and c == d.course_identifier and p != d.participant_id
                    for t, ty, c, p in billable
                )

    async def test_declarations_are_dated_in_their_milestone_window_and_capture_the_period(self, conn):
        periods = await periods_by_record(conn)
        windows = {
            (m.schedule_id, m.declaration_type): (m.start_date, m.milestone_date)
            for m in await rows(conn, "milestones")
        }
        names = {lp.id: lp.name for lp in await rows(conn, "lead_providers")}
        records = {r.id: r for r in await rows(conn, "training_records")}
        now = clock.now()
        declarations = await rows(conn, "declarations")
        for d in declarations:
            day = d.declaration_date.date()
            period = next(
                p
                for p in periods[d.training_record_id]
                if p.started_on <= day and (p.finished_on is None or day <= p.finished_on)
            )
            start, end = windows[(period.schedule_id, d.declaration_type)]
            assert start <= day and (end is None or day <= end), d
            assert (d.lead_provider_id, d.delivery_partner_id, d.mentor_id, d.cohort_id) == (
                period.lead_provider_id,
                period.delivery_partner_id,
                period.mentor_id,
                period.cohort_id,
            )
            assert d.lead_provider_name == names[d.lead_provider_id]
            assert d.course_identifier == (
                "ecf-induction"
                if records[d.training_record_id].participant_type == ParticipantType.ECT
                else "ecf-mentor"
            )
            assert d.participant_id == records[d.training_record_id].participant_id
            assert d.declaration_date <= d.created_at <= d.updated_at <= now
            assert d.submission_digest == submission_digest(
                lead_provider_id=d.lead_provider_id,
                participant_id=d.participant_id,
                declaration_type=d.declaration_type,
                course_identifier=d.course_identifier,
                declaration_date=d.declaration_date,
                evidence_held=d.evidence_held,
            )

    async def test_mentors_in_mentor_funding_cohorts_only_have_started_and_completed(self, conn):
        cohorts = {c.id: c for c in await rows(conn, "cohorts")}
        for d in await rows(conn, "declarations", T["declarations"].c.course_identifier == "ecf-mentor"):
            if cohorts[d.cohort_id].mentor_funding:
                assert d.declaration_type in ("started", "completed")

    async def test_no_billable_declaration_in_a_frozen_cohort_after_it_froze(self, conn):
        cohorts = {c.id: c for c in await rows(conn, "cohorts")}
        for d in await rows(conn, "declarations"):
            frozen_at = cohorts[d.cohort_id].payments_frozen_at
            if frozen_at is not None:
                assert d.declaration_date < frozen_at


class TestCases:
    async def test_every_case_is_found_in_its_table(self, conn):
        for case in Case:
            assert await find_case(conn, case) == case_id(case)
        assert await find_case(conn, "ACTIVE_ECT") == await find_case(conn, "active ect") == case_id(Case.ACTIVE_ECT)
        assert {table for table, _ in CASE_TABLES.values()} == {
            "schools",
            "delivery_partners",
            "participants",
            "participant_id_changes",
            "declarations",
        }

    async def test_find_case_raises_not_found_on_an_empty_database(self, empty_db):
        async with empty_db.engine.connect() as connection:
            with pytest.raises(NotFound):
                await find_case(connection, Case.ACTIVE_ECT)

    async def test_case_ids_do_not_depend_on_anything_but_the_name(self):
        assert case_id(Case.ACTIVE_ECT) == case_id(Case("active ect")) != case_id(Case.LEFT_ECT)

    async def test_timestamps_are_never_in_the_future(self, conn):
        now = clock.now()
        for name, table in T.items():
            latest = await conn.scalar(select(func.max(table.c.updated_at)))
            assert latest is None or latest <= now, name


class TestTokens:
    async def test_one_token_per_lead_provider_and_one_for_the_analyst_none_stored_in_clear(self, sandbox_db):
        issued = await sandbox_tokens(sandbox_db.engine)
        assert sorted(label for label, _ in issued) == sorted(
            [f"lead provider {name}" for name in LEAD_PROVIDER_NAMES] + ["analyst"]
        )
        async with sandbox_db.engine.connect() as connection:
            stored = (await connection.execute(select(T["api_tokens"]))).all()
        assert len(stored) == len(issued)
        assert {row.token_digest for row in stored} == {digest(token) for _, token in issued}
        for _, token in issued:
            assert all(token not in str(value) for row in stored for value in row)


class TestSubmissionDigest:
    def test_the_same_instant_in_another_zone_gives_the_same_digest(self):
        args = {
            "lead_provider_id": uuid.uuid4(),
            "participant_id": uuid.uuid4(),
            "declaration_type": "started",
            "course_identifier": "ecf-induction",
        }
        utc = submission_digest(**args, declaration_date=datetime(2025, 1, 1, 9, tzinfo=UTC), evidence_held=None)
        plus_one = timezone(timedelta(hours=1))
        assert utc == submission_digest(
            **args, declaration_date=datetime(2025, 1, 1, 10, tzinfo=plus_one), evidence_held=None
        )
        assert utc == submission_digest(
            **{**args, "lead_provider_id": str(args["lead_provider_id"]).upper()},
            declaration_date=datetime(2025, 1, 1, 9),
            evidence_held=None,
        )
        assert utc != submission_digest(
            **args, declaration_date=datetime(2025, 1, 1, 9, tzinfo=UTC), evidence_held="other"
        )
        assert re.fullmatch(r"[0-9a-f]{64}", utc)
