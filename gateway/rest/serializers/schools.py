"""``school`` resources: the same shape on ``/schools/ecf`` and ``/schools``."""

from __future__ import annotations

from typing import Any

from gateway.domain.schools import SchoolRow
from gateway.rest.rendering import resource


def school(row: SchoolRow) -> dict[str, Any]:
    return resource(
        "school",
        row.id,
        {
            "name": row.name,
            "urn": row.urn,
            "cohort": str(row.cohort),
            "in_partnership": row.in_partnership,
            "induction_programme_choice": row.induction_programme_choice,
            "expression_of_interest": row.expression_of_interest,
            "induction_tutor_name": row.induction_tutor_name,
            "induction_tutor_email": row.induction_tutor_email,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        },
    )
