"""Which statement pays a declaration, or claws it back (domain.md sections 6 and 7).

Both are the lead provider's open output-fee statement for the cohort with the
earliest cut-off on or after today. The candidates are read ``FOR SHARE`` on
PostgreSQL (SQLite serialises writers anyway): DfE finance closing one of them
waits until the declaration being attached is committed, and then sees it;
an attachment that waited on a closing finds the statement no longer open and
takes the next one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway import clock
from gateway.db.tables import Statement, table_of
from gateway.vocabulary import StatementStatus

_statements = table_of(Statement)

CONTRACT_ENDED = (
    "You cannot submit or void declarations for the {year} cohort. The funding contract for this cohort has ended. "
    "Get in touch if you need to discuss this with us."
)


@dataclass(frozen=True, slots=True)
class PaymentTarget:
    lead_provider_id: uuid.UUID
    cohort_id: uuid.UUID


async def next_open_output_statement(conn: AsyncConnection, target: PaymentTarget) -> uuid.UUID | None:
    stmt = (
        select(_statements.c.id)
        .where(
            _statements.c.lead_provider_id == target.lead_provider_id,
            _statements.c.cohort_id == target.cohort_id,
            _statements.c.output_fee.is_(True),
            _statements.c.status == StatementStatus.OPEN.value,
            _statements.c.cut_off_date >= clock.today(),
        )
        .order_by(_statements.c.cut_off_date, _statements.c.id)
        .with_for_update(read=True)
    )
    # No LIMIT: with one, PostgreSQL could return nothing when the first candidate stops qualifying while we wait for it.
    return (await conn.execute(stmt)).scalars().first()


async def next_open_output_statements(
    conn: AsyncConnection, targets: set[PaymentTarget]
) -> dict[PaymentTarget, uuid.UUID]:
    """``next_open_output_statement`` for several lead provider and cohort pairs (one statement per pair)."""
    found: dict[PaymentTarget, uuid.UUID] = {}
    for target in sorted(
        targets, key=lambda t: (str(t.lead_provider_id), str(t.cohort_id))
    ):  # one lock order for everyone
        statement_id = await next_open_output_statement(conn, target)
        if statement_id is not None:
            found[target] = statement_id
    return found
