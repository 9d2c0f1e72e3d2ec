"""GET /api/v3/participant-declarations and /api/v3/participant-declarations/{id}.

The published list has no ``sort`` parameter: it is always oldest first.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain.declarations import queries
from gateway.domain.declarations.queries import DeclarationFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.serializers.declarations import declaration


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    filters = DeclarationFilters(
        cohort_years=query.cohort_years(),
        participant_ids=query.ids("participant_id"),
        delivery_partner_ids=query.ids("delivery_partner_id"),
        updated_since=query.updated_since(),
    )
    async with read_connection() as conn:
        rows = await queries.list_declarations(
            conn, rendering.request_caller(request), filters=filters, page=query.page
        )
    return rendering.many(rows, declaration)


show = show_by_id(queries.get_declaration, declaration)
