"""``statement`` resources, in the newer service's shape (no ``type``: every statement is an ECF one)."""

from __future__ import annotations

from typing import Any

from gateway.domain.statements import StatementRow
from gateway.rest.rendering import resource


def statement(row: StatementRow) -> dict[str, Any]:
    return resource(
        "statement",
        row.id,
        {
            "month": row.month_name,
            "year": str(row.year),
            "cohort": str(row.cohort),
            "cut_off_date": row.cut_off_date,
            "payment_date": row.payment_date,
            "paid": row.paid,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        },
    )
