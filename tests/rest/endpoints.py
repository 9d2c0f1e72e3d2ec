"""The endpoint table of the REST API: every GET path of both path families, and how to reach it from sandbox data.

The shared contract suite (tests/rest/test_contract.py) runs every check over
these tables; the route coverage test (tests/rest/test_openapi.py) checks the
route table against the served OpenAPI document.

A list endpoint is reached with its ``base_query`` (schools need a cohort). A
show endpoint takes the ids of the items of the list named by ``listed_by``
(and, for schools, the item's cohort). The suite runs over every endpoint but
those whose route has not landed yet (``NOT_YET_IMPLEMENTED``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from starlette.routing import Route

from gateway.rest.routes import rest_routes

V3 = "/api/v3"


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Facts of the seeded sandbox the URLs are built from."""

    lead_providers: tuple[str, ...]
    cohort_years: tuple[int, ...]
    busy_cohort: int  # the cohort with the most schools eligible for funding


@dataclass(frozen=True, slots=True)
class ListEndpoint:
    path: str
    by_cohort: bool = False  # filter[cohort] is required (schools)

    def base_query(self, sandbox: Sandbox) -> dict[str, str]:
        return {"filter[cohort]": str(sandbox.busy_cohort)} if self.by_cohort else {}

    def url(self, sandbox: Sandbox, extra: str = "") -> str:
        """The list URL with its base query, then ``extra`` (a raw query string, later keys win)."""
        query = "&".join(q for q in (urlencode(self.base_query(sandbox)), extra) if q)
        return f"{self.path}?{query}" if query else self.path

    def __str__(self) -> str:
        return self.path


@dataclass(frozen=True, slots=True)
class ShowEndpoint:
    path: str  # with "{id}"
    listed_by: str
    by_cohort: bool = False

    def url_for(self, item: dict, extra: str = "") -> str:
        """The show URL of a list item (its id; for schools, its cohort)."""
        return self.url_with_id(
            item["id"], cohort=item["attributes"]["cohort"] if self.by_cohort else None, extra=extra
        )

    def url_with_id(self, id_: str, *, cohort: str | int | None = None, extra: str = "") -> str:
        query = "&".join(q for q in (f"filter[cohort]={cohort}" if cohort is not None else "", extra) if q)
        path = self.path.replace("{id}", quote(str(id_), safe=""))
        return f"{path}?{query}" if query else path

    def __str__(self) -> str:
        return self.path


def _both_families(path: str) -> list[str]:
    return [path, path.replace("/ecf", "", 1)]


LISTS: list[ListEndpoint] = [
    ListEndpoint(f"{V3}/delivery-partners"),
    *(ListEndpoint(p, by_cohort=True) for p in _both_families(f"{V3}/schools/ecf")),
    *(ListEndpoint(p) for p in _both_families(f"{V3}/partnerships/ecf")),
    *(ListEndpoint(p) for p in _both_families(f"{V3}/participants/ecf")),
    *(ListEndpoint(p) for p in _both_families(f"{V3}/participants/ecf/transfers")),
    *(ListEndpoint(p) for p in _both_families(f"{V3}/unfunded-mentors/ecf")),
    ListEndpoint(f"{V3}/participant-declarations"),
    ListEndpoint(f"{V3}/statements"),
]

SHOWS: list[ShowEndpoint] = [
    ShowEndpoint(f"{V3}/delivery-partners/{{id}}", f"{V3}/delivery-partners"),
    *(ShowEndpoint(f"{p}/{{id}}", p, by_cohort=True) for p in _both_families(f"{V3}/schools/ecf")),
    *(ShowEndpoint(f"{p}/{{id}}", p) for p in _both_families(f"{V3}/partnerships/ecf")),
    *(ShowEndpoint(f"{p}/{{id}}", p) for p in _both_families(f"{V3}/participants/ecf")),
    *(
        ShowEndpoint(f"{participants}/{{id}}/transfers", f"{participants}/transfers")
        for participants in _both_families(f"{V3}/participants/ecf")
    ),
    *(ShowEndpoint(f"{p}/{{id}}", p) for p in _both_families(f"{V3}/unfunded-mentors/ecf")),
    ShowEndpoint(f"{V3}/participant-declarations/{{id}}", f"{V3}/participant-declarations"),
    ShowEndpoint(f"{V3}/statements/{{id}}", f"{V3}/statements"),
]

# Operations of the served OpenAPI document whose route has not landed yet, as (METHOD, path): the route
# coverage test expects them to fail. Remove an entry as soon as its route is in gateway/rest/routes.py.
NOT_YET_IMPLEMENTED: frozenset[tuple[str, str]] = frozenset()


def routed_operations() -> set[tuple[str, str]]:
    """(METHOD, path) of every REST route, path parameters spelled ``{id}`` as in the OpenAPI document."""
    found = set()
    for route in rest_routes():
        if isinstance(route, Route):
            for method in route.methods or ():
                if method != "HEAD":
                    found.add((method, re.sub(r"\{[^}]+\}", "{id}", route.path)))
    return found


def served_now(method: str, path: str) -> bool:
    """Whether the operation should be served today: everything but NOT_YET_IMPLEMENTED (the suite skips those)."""
    return (method.upper(), path) not in NOT_YET_IMPLEMENTED
