"""``partnership`` resources, in the newer shape (``/partnerships``) and the published one (``/partnerships/ecf``)."""

from __future__ import annotations

from typing import Any

from gateway.domain.partnerships.queries import PartnershipRow
from gateway.rest.rendering import resource

# Partnerships can no longer be challenged (seed 003), so the published challenge fields only
# ever hold these values; legacy clients validating against the 3.0.0 schema still expect them.
_UNCHALLENGED = {"status": "active", "challenged_reason": None, "challenged_at": None}


def partnership(row: PartnershipRow) -> dict[str, Any]:
    return resource("partnership", row.id, {**_identity(row), **_details(row)})


def ecf_partnership(row: PartnershipRow) -> dict[str, Any]:
    """The published 3.0.0 shape, attributes in its order."""
    return resource("partnership", row.id, {**_identity(row), **_UNCHALLENGED, **_details(row)})


def _identity(row: PartnershipRow) -> dict[str, Any]:
    return {
        "cohort": str(row.cohort),
        "urn": row.urn,
        # str(): asyncpg hands back its own UUID subclass, which orjson does not serialise.
        "school_id": str(row.school_id),
        "delivery_partner_id": str(row.delivery_partner_id),
        "delivery_partner_name": row.delivery_partner_name,
    }


def _details(row: PartnershipRow) -> dict[str, Any]:
    return {
        "induction_tutor_name": row.induction_tutor_name,
        "induction_tutor_email": row.induction_tutor_email,
        "participants_currently_training": row.participants_currently_training,
        "updated_at": row.updated_at,
        "created_at": row.created_at,
    }
