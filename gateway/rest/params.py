"""Query parameters of the published API: ``filter[...]``, ``page[page]``/``page[per_page]`` and ``sort``."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from starlette.datastructures import QueryParams

from gateway.domain.errors import BadRequest, NotFound
from gateway.domain.filters import parse_cohort_years, parse_ids, parse_updated_since, split_list
from gateway.domain.paging import DEFAULT_PAGE_SIZE, OffsetPage, SortKey, clamp_page_size

MAX_PAGE_NUMBER = 10**12


def bad_page() -> BadRequest:
    return BadRequest(
        "Bad parameter", "The '#/page[page]' and '#/page[per_page]' parameter values must be a valid positive number"
    )


def filter_not_a_hash() -> BadRequest:
    return BadRequest("Bad parameter", "Filter must be a hash")


def missing_filter(name: str) -> BadRequest:
    return BadRequest("Bad parameter", f"The filter '#/{name}' must be included in your request")


class ListQuery:
    """The parsed query string of a list endpoint."""

    def __init__(self, params: QueryParams) -> None:
        self.params = params
        self.filters = _filters(params)
        self.page = _page(params)

    def filter(self, name: str) -> str | None:
        return self.filters.get(name)

    def required_filter(self, name: str) -> str:
        value = self.filters.get(name)
        if value is None or not value.strip():
            raise missing_filter(name)
        return value

    def cohort_years(self) -> list[int] | None:
        value = self.filters.get("cohort")
        return None if value is None else parse_cohort_years(split_list(value))

    def updated_since(self) -> datetime | None:
        value = self.filters.get("updated_since")
        return None if value is None else parse_updated_since(value)

    def ids(self, name: str) -> list[uuid.UUID] | None:
        value = self.filters.get(name)
        return None if value is None else parse_ids(split_list(value))

    def sort(self, allowed: Mapping[str, str], default: Sequence[SortKey]) -> list[SortKey]:
        """``sort=a,-b`` over the published keys in ``allowed`` (published name -> domain key); unknown keys are ignored."""
        keys: list[SortKey] = []
        for item in split_list(self.params.get("sort", "")):
            descending = item.startswith("-")
            name = allowed.get(item.lstrip("-+"))
            if name is not None and all(k.name != name for k in keys):
                keys.append(SortKey(name, descending))
        return keys or list(default)


def _filters(params: QueryParams) -> dict[str, str]:
    if "filter" in params:
        raise filter_not_a_hash()
    filters: dict[str, str] = {}
    for key, value in params.multi_items():
        if key.startswith("filter[") and key.endswith("]"):
            filters[key[len("filter[") : -1]] = value
    return filters


def _page(params: QueryParams) -> OffsetPage:
    number = _positive(params.get("page[page]"), default=1)
    size = _positive(params.get("page[per_page]"), default=DEFAULT_PAGE_SIZE)
    return OffsetPage(number=number, size=clamp_page_size(size))


def _positive(value: str | None, *, default: int) -> int:
    if value is None:
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise bad_page() from None
    if number < 1:
        raise bad_page()
    # Far past any real list, and the offset stays inside the databases' 64-bit integers: an empty page.
    return min(number, MAX_PAGE_NUMBER)


def path_id(value: str) -> uuid.UUID:
    """An id in a path. A malformed one names no record: 404, like a missing one."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise NotFound() from None
