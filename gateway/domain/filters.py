"""Filter values with published rules of their own, shared by every resource and both faces."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime

from gateway.domain.cohorts import cohort_year
from gateway.domain.errors import BadRequest


def invalid_updated_since() -> BadRequest:
    return BadRequest("Bad request", "The filter '#/updated_since' must be a valid ISO 8601 date")


_ISO_8601 = re.compile(
    r"^\d{4}-\d{2}-\d{2}"  # date
    r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"  # optional time, seconds and fraction
    r"(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"  # optional zone
)


def parse_updated_since(value: str) -> datetime:
    """ISO 8601 date or date-time (optional fraction and zone); naive values are UTC."""
    text = value.strip()
    if not _ISO_8601.match(text):
        raise invalid_updated_since()
    text = text.replace(",", ".").replace("Z", "+00:00")
    if len(text) > 10 and re.search(r"[+-]\d{2}$", text):  # "+01" zone: fromisoformat wants "+01:00"
        text += ":00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise invalid_updated_since() from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # An offset pushing the instant past year 9999 or before year 1: the edge of time is as far as it goes.
        return datetime.max.replace(tzinfo=UTC) if moment.year > 1 else datetime.min.replace(tzinfo=UTC)


def parse_cohort_years(values: Iterable[str]) -> list[int]:
    """Cohort years from a list of strings; values that are not years match nothing, so they are dropped."""
    years = (cohort_year(value.strip()) for value in values)
    return [year for year in years if year is not None]


def split_list(value: str) -> list[str]:
    """A comma-separated filter value as its non-empty items."""
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_ids(values: Iterable[str]) -> list[uuid.UUID]:
    """Ids of a list filter; a malformed one names no record, so it matches nothing (as an unknown id would)."""
    found = []
    for value in values:
        try:
            found.append(uuid.UUID(str(value).strip()))
        except ValueError:
            continue
    return found
