"""``delivery-partner`` resources."""

from __future__ import annotations

from typing import Any

from gateway.domain.delivery_partners import DeliveryPartnerRow
from gateway.rest.rendering import resource


def delivery_partner(row: DeliveryPartnerRow) -> dict[str, Any]:
    return resource(
        "delivery-partner",
        row.id,
        {"name": row.name, "cohort": row.cohort, "created_at": row.created_at, "updated_at": row.updated_at},
    )
