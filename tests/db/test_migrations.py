"""Migrations that move existing rows: what they keep and what they change, on both databases."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import insert, select

from gateway.db.migrate import alembic_config, upgrade_to_head
from gateway.db.tables import Cohort, LeadProvider, Participant, School, TrainingPeriod, TrainingRecord

_periods = TrainingPeriod.__table__


async def _upgrade_to(engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _upgrade(connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with engine.begin() as conn:
        await conn.run_sync(_upgrade)


def _at(day: date, hour: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


class TestTheSchoolsSideOfTrainingPeriods:
    """0003: a period's end becomes the school's leaving date only where no provider action or continuation made it."""

    async def test_only_the_ends_the_school_made_become_leaving_dates(self, databases):
        db = await databases.create()
        try:
            await _upgrade_to(db.engine, "0002")
            home, other, cohort = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
            periods: dict[str, dict] = {}

            def period(name: str, school: uuid.UUID, started_on: date, **values) -> None:
                periods[name] = {
                    "id": uuid.uuid4(),
                    "school_id": school,
                    "started_on": started_on,
                    "training_programme": "school_led",
                    "cohort_id": cohort,
                    "created_at": _at(started_on, 8),
                    "updated_at": _at(started_on, 8),
                    **values,
                }

            # Seven training records, one story each (the key names the period whose leaving date is checked).
            period(
                "withdrawn",
                home,
                date(2024, 9, 2),
                finished_on=date(2025, 2, 10),
                withdrawn_at=_at(date(2025, 2, 10), 23),
            )
            period(
                "deferred",
                home,
                date(2024, 9, 2),
                finished_on=date(2025, 3, 10),
                deferred_at=_at(date(2025, 3, 10), 11),
            )
            period(
                "left before the withdrawal",
                home,
                date(2024, 9, 2),
                finished_on=date(2025, 1, 31),
                withdrawn_at=_at(date(2025, 2, 14), 9),
            )
            period("old schedule", home, date(2024, 9, 2), finished_on=date(2025, 4, 30))
            period("new schedule", home, date(2025, 5, 1))
            period("moved school", home, date(2024, 9, 2), finished_on=date(2025, 3, 31))
            period("joined", other, date(2025, 4, 1))
            period("left for nowhere known", home, date(2024, 9, 2), finished_on=date(2025, 6, 30))
            period("open", home, date(2024, 9, 2))
            records = {name: uuid.uuid4() for name in periods}
            records["new schedule"] = records["old schedule"]
            records["joined"] = records["moved school"]

            async with db.engine.begin() as conn:
                await conn.execute(insert(LeadProvider.__table__).values(id=uuid.uuid4(), name="A provider"))
                await conn.execute(insert(Cohort.__table__).values(id=cohort, year=2024, starts_on=date(2024, 9, 1)))
                for school, urn in ((home, "100001"), (other, "100002")):
                    await conn.execute(insert(School.__table__).values(id=school, urn=urn, name=f"School {urn}"))
                for name, record_id in records.items():
                    if name in ("new schedule", "joined"):
                        continue
                    participant_id = uuid.uuid4()
                    await conn.execute(insert(Participant.__table__).values(id=participant_id, full_name=name))
                    await conn.execute(
                        insert(TrainingRecord.__table__).values(
                            id=record_id, participant_id=participant_id, participant_type="ect"
                        )
                    )
                for name, values in periods.items():
                    await conn.execute(insert(_periods).values(training_record_id=records[name], **values))

            await upgrade_to_head(db.engine)

            async with db.engine.connect() as conn:
                found = {
                    row.id: (row.leaving_on, row.school_withdrawn_at, row.finished_on)
                    for row in await conn.execute(select(_periods))
                }
            leaving = {name: found[values["id"]][0] for name, values in periods.items()}
            assert leaving == {
                "withdrawn": None,
                "deferred": None,
                "left before the withdrawal": date(2025, 1, 31),
                "old schedule": None,
                "new schedule": None,
                "moved school": date(2025, 3, 31),
                "joined": None,
                "left for nowhere known": date(2025, 6, 30),
                "open": None,
            }
            # Nothing else moves: the period's own end stays, and no school withdrawal is invented.
            assert {name: found[values["id"]][2] for name, values in periods.items()} == {
                name: values.get("finished_on") for name, values in periods.items()
            }
            assert {value[1] for value in found.values()} == {None}
        finally:
            await db.engine.dispose()
