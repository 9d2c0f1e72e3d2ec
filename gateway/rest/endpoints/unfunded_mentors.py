"""GET /api/v3/unfunded-mentors/ecf and /api/v3/unfunded-mentors/ecf/{id} (and the same without ``/ecf``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain.participants import unfunded_mentors
from gateway.domain.participants.unfunded_mentors import DEFAULT_ORDER, UnfundedMentorFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.serializers.unfunded_mentors import unfunded_mentor

SORT_KEYS = {"created_at": "created_at", "updated_at": "updated_at"}


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    filters = UnfundedMentorFilters(updated_since=query.updated_since())
    order = query.sort(SORT_KEYS, DEFAULT_ORDER)
    async with read_connection() as conn:
        rows = await unfunded_mentors.list_unfunded_mentors(
            conn, rendering.request_caller(request), filters=filters, order=order, page=query.page
        )
    return rendering.many(rows, unfunded_mentor)


show = show_by_id(unfunded_mentors.get_unfunded_mentor, unfunded_mentor)
