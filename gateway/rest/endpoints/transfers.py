"""GET /api/v3/participants/ecf/transfers and /api/v3/participants/ecf/{id}/transfers (and without ``/ecf``)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain.participants import transfers
from gateway.domain.participants.transfers import TransferFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.serializers.transfers import participant_transfers


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    filters = TransferFilters(updated_since=query.updated_since())
    async with read_connection() as conn:
        rows = await transfers.list_participant_transfers(
            conn, rendering.request_caller(request), filters=filters, page=query.page
        )
    return rendering.many(rows, participant_transfers)


show = show_by_id(transfers.get_participant_transfers, participant_transfers)
