"""Arguments shared by root fields, turned into the domain's filter values."""

from __future__ import annotations

import uuid
from typing import Annotated, overload

import strawberry

from gateway.domain.errors import NotFound
from gateway.domain.filters import parse_cohort_years, parse_ids, parse_updated_since
from gateway.domain.paging import MAX_PAGE_SIZE

page_size = Annotated[int | None, strawberry.argument(description=f"Page size (at most {MAX_PAGE_SIZE}).")]
after_cursor = Annotated[str | None, strawberry.argument(description="Cursor of the last row already read.")]
lead_provider_filter = Annotated[
    strawberry.ID | None,
    strawberry.argument(description="Analysts only: restrict to one lead provider's data. Ignored for lead providers."),
]


@overload
def parse_id(value: str) -> uuid.UUID: ...
@overload
def parse_id(value: None) -> None: ...
def parse_id(value: str | None) -> uuid.UUID | None:
    """An id argument as a UUID. A malformed id names no record, so it is not found, like a missing one."""
    if value is None:
        return None
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound() from None


def cohort_years(values: list[str] | None) -> list[int] | None:
    return None if values is None else parse_cohort_years(values)


def updated_since(value: str | None):
    return None if value is None else parse_updated_since(value)


def ids(values: list[strawberry.ID] | None) -> list[uuid.UUID] | None:
    return None if values is None else parse_ids(values)
