"""A small hand-made world for the declaration and statement read rules, in an empty database.

Three lead providers in the 2023 cohort. Alpha is the provider under test:

- ``moved_in``: an ECT trained by Beta until 2024-01-31, by Alpha since 2024-02-01.
  Beta's paid ``started`` (with a pupil premium uplift) and its ``submitted``
  ``retained-1`` are billable, so Alpha sees them; Beta's voided ``retained-2``
  is not. Alpha's own ``retained-3`` sits on Alpha's January statement.
- ``moved_out``: an ECT trained by Alpha until 2023-12-31, by Beta since. Beta's
  ``started`` dated 2023-12-31 (the last day of Alpha's time) is visible to
  Alpha; Beta's ``retained-1`` dated 2024-02-15, after Alpha's time, is not.
  Alpha's own clawed-back ``retained-2`` (paid in January, clawed back in April)
  stays visible to Alpha: its own declarations are visible in every state.
- ``beta_only``: an ECT Alpha never trained; Beta's paid ``started`` (uplift paid) is invisible to Alpha.
- ``mentor``: Beta's mentor (of ``moved_in`` when Beta made its ``started``), whose paid
  ``started`` never pays an uplift.

Alpha has three statements for 2023: January 2024 (output fee, paid), February
2024 (no output fee) and April 2024 (output fee, open). Beta has one.
Gamma trains nobody and has no statement.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.engine import set_engine, write_transaction
from gateway.db.migrate import upgrade_to_head
from gateway.db.tables import (
    Cohort,
    Declaration,
    DeliveryPartner,
    LeadProvider,
    Partnership,
    Participant,
    School,
    Statement,
    TrainingPeriod,
    TrainingRecord,
)
from tests.conftest import Database, DatabaseFactory


def _at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=timezone.utc)


@dataclass
class World:
    cohort_id: uuid.UUID = field(default_factory=uuid.uuid4)
    lead_providers: dict[str, uuid.UUID] = field(default_factory=dict)
    delivery_partners: dict[str, uuid.UUID] = field(default_factory=dict)
    participants: dict[str, uuid.UUID] = field(default_factory=dict)
    statements: dict[str, uuid.UUID] = field(default_factory=dict)
    declarations: dict[str, uuid.UUID] = field(default_factory=dict)

    def visible_to_alpha(self) -> set[uuid.UUID]:
        names = (
            "moved_in_started",
            "moved_in_retained_1",
            "moved_in_retained_3",
            "moved_out_started",
            "moved_out_retained_2",
        )
        return {self.declarations[n] for n in names}


async def build_world(engine: AsyncEngine) -> World:
    w = World()
    rows: dict[type, list[dict]] = {}

    def add(table: type, **values) -> uuid.UUID:
        values.setdefault("id", uuid.uuid4())
        rows.setdefault(table, []).append(values)
        return values["id"]

    add(Cohort, id=w.cohort_id, year=2023, starts_on=date(2023, 6, 1))
    for name in ("Alpha", "Beta", "Gamma"):
        w.lead_providers[name] = add(LeadProvider, name=f"{name} Training")
    for name in ("Alpha", "Beta"):
        w.delivery_partners[name] = add(DeliveryPartner, name=f"{name} Partner")
    partnerships = {}
    for name in ("Alpha", "Beta"):
        school = add(School, urn=f"10000{len(partnerships)}", name=f"{name} School")
        partnerships[name] = add(
            Partnership,
            school_id=school,
            lead_provider_id=w.lead_providers[name],
            delivery_partner_id=w.delivery_partners[name],
            cohort_id=w.cohort_id,
        )
    school_of = {name: rows[Partnership][i]["school_id"] for i, name in enumerate(("Alpha", "Beta"))}

    def statement(key: str, lp: str, year: int, month: int, *, output_fee: bool = True, status: str = "open") -> None:
        w.statements[key] = add(
            Statement,
            lead_provider_id=w.lead_providers[lp],
            cohort_id=w.cohort_id,
            year=year,
            month=month,
            cut_off_date=date(year, month - 1, 28) if month > 1 else date(year - 1, 12, 31),
            payment_date=date(year, month, 25),
            output_fee=output_fee,
            status=status,
        )

    statement("alpha_april", "Alpha", 2024, 4)  # inserted first: the list must still be by payment date
    statement("alpha_january", "Alpha", 2024, 1, status="paid")
    statement("alpha_february", "Alpha", 2024, 2, output_fee=False)
    statement("beta_january", "Beta", 2024, 1, status="paid")

    def trainee(key: str, role: str = "ect", **uplifts) -> uuid.UUID:
        w.participants[key] = add(Participant, full_name=key.replace("_", " ").title())
        return add(
            TrainingRecord,
            participant_id=w.participants[key],
            participant_type=role,
            eligible_for_funding=True,
            **uplifts,
        )

    def period(record: uuid.UUID, lp: str, started_on: date, finished_on: date | None = None) -> None:
        add(
            TrainingPeriod,
            training_record_id=record,
            school_id=school_of[lp],
            cohort_id=w.cohort_id,
            training_programme="provider_led",
            partnership_id=partnerships[lp],
            started_on=started_on,
            finished_on=finished_on,
        )

    def declaration(
        key: str, record: uuid.UUID, participant: str, lp: str, kind: str, day: str, state: str, **extra
    ) -> None:
        course = "ecf-mentor" if participant == "mentor" else "ecf-induction"
        w.declarations[key] = add(
            Declaration,
            participant_id=w.participants[participant],
            training_record_id=record,
            lead_provider_id=w.lead_providers[lp],
            cohort_id=w.cohort_id,
            declaration_type=kind,
            declaration_date=_at(day),
            course_identifier=course,
            state=state,
            evidence_held=None if kind == "started" else "training-event-attended",
            delivery_partner_id=w.delivery_partners[lp],
            lead_provider_name=f"{lp} Training",
            submission_digest=uuid.uuid4().hex,
            created_at=_at(day, 12),
            updated_at=_at(day, 12),
            **extra,
        )

    mentor = trainee("mentor", role="mentor", pupil_premium_uplift=True, sparsity_uplift=True)
    moved_in = trainee("moved_in", pupil_premium_uplift=True)
    period(moved_in, "Beta", date(2023, 9, 1), date(2024, 1, 31))
    period(moved_in, "Alpha", date(2024, 2, 1))
    declaration(
        "moved_in_started", moved_in, "moved_in", "Beta", "started", "2023-10-02", "paid",
        statement_id=w.statements["beta_january"], mentor_id=w.participants["mentor"],
    )  # fmt: skip
    declaration("moved_in_retained_1", moved_in, "moved_in", "Beta", "retained-1", "2024-01-10", "submitted")
    declaration("moved_in_retained_2", moved_in, "moved_in", "Beta", "retained-2", "2024-01-20", "voided")
    declaration(
        "moved_in_retained_3", moved_in, "moved_in", "Alpha", "retained-3", "2024-03-01", "eligible",
        statement_id=w.statements["alpha_april"],
    )  # fmt: skip

    moved_out = trainee("moved_out", sparsity_uplift=True)
    period(moved_out, "Alpha", date(2023, 9, 1), date(2023, 12, 31))
    period(moved_out, "Beta", date(2024, 1, 1))
    declaration("moved_out_started", moved_out, "moved_out", "Beta", "started", "2023-12-31", "eligible")
    declaration("moved_out_retained_1", moved_out, "moved_out", "Beta", "retained-1", "2024-02-15", "payable")
    declaration(
        "moved_out_retained_2", moved_out, "moved_out", "Alpha", "retained-2", "2023-11-01", "clawed-back",
        statement_id=w.statements["alpha_january"], clawback_statement_id=w.statements["alpha_april"],
    )  # fmt: skip

    beta_only = trainee("beta_only", pupil_premium_uplift=True)
    period(beta_only, "Beta", date(2023, 9, 1))
    declaration(
        "beta_only_started",
        beta_only,
        "beta_only",
        "Beta",
        "started",
        "2023-10-03",
        "paid",
        statement_id=w.statements["beta_january"],
    )

    period(mentor, "Beta", date(2023, 9, 1))
    declaration(
        "mentor_started",
        mentor,
        "mentor",
        "Beta",
        "started",
        "2023-10-04",
        "paid",
        statement_id=w.statements["beta_january"],
    )

    order = (
        Cohort,
        LeadProvider,
        DeliveryPartner,
        School,
        Partnership,
        Statement,
        Participant,
        TrainingRecord,
        TrainingPeriod,
        Declaration,
    )
    async with write_transaction(engine) as conn:
        for table in order:
            for row in rows.get(table, []):
                await conn.execute(insert(table.__table__).values(**row))
    return w


@dataclass
class WorldDatabase:
    db: Database
    world: World


@pytest.fixture(scope="module")
async def world_db(databases: DatabaseFactory) -> AsyncIterator[WorldDatabase]:
    """The world in a database of its own, built once per module; tests must not change its rows
    (issuing tokens is fine). The process engine points at it while a test using it runs."""
    db = await databases.create()
    await upgrade_to_head(db.engine)
    world = await build_world(db.engine)
    yield WorldDatabase(db, world)
    await db.engine.dispose()


@pytest.fixture
def world(world_db: WorldDatabase) -> Iterator[World]:
    set_engine(world_db.db.engine)
    yield world_db.world
    set_engine(None)
