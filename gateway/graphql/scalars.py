"""Scalars rendered as the published API renders them: UTC date-times with a ``Z``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime

import strawberry
from strawberry.types.scalar import ScalarDefinition

from gateway.domain.errors import BadRequest
from gateway.responses import rfc3339


def _serialize(value: datetime) -> str:
    return rfc3339(value)  # the REST faces' format, to the second


def _parse(value: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("Bad request", f"{value!r} is not an ISO 8601 date-time") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


UtcDateTime = strawberry.scalar(
    name="DateTime",
    description="A moment in UTC, RFC 3339 to the second with a `Z`, e.g. `2025-09-01T10:15:00Z`.",
    serialize=_serialize,
    parse_value=_parse,
)

SCALAR_MAP: Mapping[object, ScalarDefinition] = {datetime: UtcDateTime}
"""For ``StrawberryConfig.scalar_map``: Python ``datetime`` fields are this ``DateTime``."""
