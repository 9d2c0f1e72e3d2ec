"""Seeds the deterministic sandbox data set, and issues the sandbox tokens.

What the data set holds:

- reference rows (`gateway.sandbox.reference`): cohorts 2021-2026, the five
  lead providers of `LEAD_PROVIDER_NAMES`, fifteen delivery partners working
  for them in some cohorts and not others, the twelve schedules of every
  cohort with their milestones (`gateway.sandbox.schedules`), and a statement
  a month for every provider and cohort from January of the cohort year until
  20 months after today (`gateway.sandbox.statements`);
- the special cases (`gateway.sandbox.cases`): each exactly once, found by
  name with `case_id(Case.X)` or `await find_case(conn, Case.X)`;
- the bulk (`gateway.sandbox.bulk`): ``scale`` units of about a thousand
  participants and five thousand declarations each, built and encoded in a
  worker process while the previous unit is written (`gateway.sandbox.parallel`),
  with COPY on PostgreSQL and executemany on SQLite, in one transaction whose
  secondary indexes are built at the end (`gateway.sandbox.bulk_load`).

Once the rows are in, ANALYZE gives the planner statistics for them: a large
seed is queried straight away, and PostgreSQL's autovacuum may not have
analysed it yet (SQLite never does on its own).

The same scale gives the same ids and counts on every run. Dates that must
stay "in the future" and statement statuses follow today (``gateway.clock``),
so those values, and the number of statements (one per month up to today + 20
months), move with the calendar.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import clock
from gateway.db.engine import write_transaction
from gateway.db.tables import LeadProvider, metadata, table_of
from gateway.domain.tokens import create_token
from gateway.sandbox.batch import Batch
from gateway.sandbox.bulk import MAX_UNITS, UNIT_TABLES
from gateway.sandbox.bulk_load import bulk_load
from gateway.sandbox.cases import CASE_LEAD_PROVIDER, Case, build_cases, case_id, find_case
from gateway.sandbox.encoding import RowEncoder
from gateway.sandbox.parallel import bulk_units
from gateway.sandbox.progress import ProgressBar
from gateway.sandbox.reference import LEAD_PROVIDER_NAMES, Reference
from gateway.sandbox.writer import analyze, empty_all_tables, tables_holding_rows, write_batch
from gateway.vocabulary import Role

__all__ = [
    "CASE_LEAD_PROVIDER",
    "LEAD_PROVIDER_NAMES",
    "Case",
    "SeedSummary",
    "case_id",
    "find_case",
    "sandbox_tokens",
    "seed_sandbox",
]


@dataclass(frozen=True)
class SeedSummary:
    scale: int
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    skipped_because: str | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def __str__(self) -> str:
        if self.skipped_because:
            return f"Nothing seeded: {self.skipped_because}"
        width = max((len(name) for name in self.counts), default=0)
        lines = [f"Sandbox seeded at scale {self.scale}: {self.total:,} rows in {self.seconds:.1f} s"]
        lines += [f"  {name:<{width}}  {count:>10,}" for name, count in self.counts.items()]
        return "\n".join(lines)


def _start_of_today() -> datetime:
    # Seeded moments that follow today are capped at midnight, so every run on one day writes the same values.
    return datetime.combine(clock.today(), datetime.min.time(), tzinfo=UTC)


async def seed_sandbox(
    engine: AsyncEngine, *, scale: int = 1, reset: bool = False, progress: bool = False
) -> SeedSummary:
    """Write the sandbox into a migrated database.

    ``reset`` empties every table first. Without it, a database that already
    holds rows in any sandbox table is left untouched, and the summary says so.
    """
    if not 0 <= scale <= MAX_UNITS:
        raise ValueError(f"scale must be between 0 and {MAX_UNITS}")
    started = time.perf_counter()
    now = _start_of_today()
    reference = Reference(now.date())
    first = Batch()
    first.extend(reference.batch)
    build_cases(reference, first, now=now)
    seeded_tables = [table.name for table in metadata.sorted_tables if table.name in first.tables]

    counts: Counter[str] = Counter()
    bar = ProgressBar(scale + 3, enabled=progress)  # the reference rows and cases, each unit, the indexes, ANALYZE
    async with write_transaction(engine) as conn:
        if reset:
            await empty_all_tables(conn)
        else:
            held = await tables_holding_rows(conn, seeded_tables)
            if held:
                return SeedSummary(
                    scale,
                    skipped_because=f"the database already holds rows in {', '.join(held)}; use reset (gateway seed --reset) to replace them",
                )
        await write_batch(conn, first, counts)
    bar.advance(counts)
    encoder = RowEncoder(engine.dialect)
    async with engine.connect() as conn:
        async with bulk_load(conn, encoder, list(UNIT_TABLES)) as load:
            async for rows in bulk_units(reference, scale, now=now, dialect=engine.dialect):
                await load.write(rows, counts)
                bar.advance(counts)
            await load.rebuild_indexes()
        bar.advance(counts)
        await analyze(conn)
    bar.advance(counts)
    bar.close()
    ordered = {table.name: counts[table.name] for table in metadata.sorted_tables if counts[table.name]}
    return SeedSummary(scale, ordered, time.perf_counter() - started)


async def sandbox_tokens(engine: AsyncEngine) -> list[tuple[str, str]]:
    """Issue a new token for every lead provider and one for the analyst role: ``[(label, clear token), ...]``."""
    providers = table_of(LeadProvider)
    issued = []
    async with write_transaction(engine) as conn:
        rows = (await conn.execute(select(providers.c.id, providers.c.name).order_by(providers.c.name))).all()
        for lead_provider_id, name in rows:
            token = await create_token(
                conn, role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id, description=f"sandbox: {name}"
            )
            issued.append((f"lead provider {name}", token))
        issued.append(("analyst", await create_token(conn, role=Role.ANALYST, description="sandbox: analyst")))
    return issued
