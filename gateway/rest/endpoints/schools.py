"""GET /api/v3/schools/ecf[/{id}] and /api/v3/schools[/{id}] (one shape on both)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain import schools
from gateway.domain.schools import DEFAULT_ORDER, SchoolFilters, parse_school_cohort
from gateway.rest import rendering
from gateway.rest.params import ListQuery, path_id
from gateway.rest.serializers.schools import school

SORT_KEYS = {"created_at": "created_at", "updated_at": "updated_at"}


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    filters = SchoolFilters(
        cohort_year=parse_school_cohort(query.required_filter("cohort")),
        urn=query.filter("urn"),
        updated_since=query.updated_since(),
    )
    order = query.sort(SORT_KEYS, DEFAULT_ORDER)
    async with read_connection() as conn:
        rows = await schools.list_schools(
            conn, rendering.request_caller(request), filters=filters, order=order, page=query.page
        )
    return rendering.many(rows, school)


async def show(request: Request) -> Response:
    query = ListQuery(request.query_params)
    cohort_year = parse_school_cohort(query.required_filter("cohort"))
    school_id = path_id(request.path_params["id"])
    async with read_connection() as conn:
        row = await schools.get_school(conn, rendering.request_caller(request), school_id, cohort_year=cohort_year)
    return rendering.one(row, school)
