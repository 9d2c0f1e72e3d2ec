"""GET /api/v3/participants/ecf and /api/v3/participants/ecf/{id} (and the same without ``/ecf``, in the newer shape)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain.filters import split_list
from gateway.domain.participants import queries
from gateway.domain.participants.queries import DEFAULT_ORDER, ParticipantFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.rendering import Serializer

SORT_KEYS = {"created_at": "created_at", "updated_at": "updated_at"}


async def index(request: Request, *, serializer: Serializer) -> Response:
    query = ListQuery(request.query_params)
    training_status = query.filter("training_status")
    filters = ParticipantFilters(
        cohort_years=query.cohort_years(),
        training_statuses=None if training_status is None else split_list(training_status),
        from_participant_ids=query.ids("from_participant_id"),
        updated_since=query.updated_since(),
    )
    order = query.sort(SORT_KEYS, DEFAULT_ORDER)
    async with read_connection() as conn:
        rows = await queries.list_participants(
            conn, rendering.request_caller(request), filters=filters, order=order, page=query.page
        )
    return rendering.many(rows, serializer)


def show(serializer: Serializer) -> Callable[[Request], Awaitable[Response]]:
    return show_by_id(queries.get_participant, serializer)
