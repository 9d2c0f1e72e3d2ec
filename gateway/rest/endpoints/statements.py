"""GET /api/v3/statements and /api/v3/statements/{id}.

The published list has no ``sort`` parameter: it is always by payment date.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain import statements
from gateway.domain.filters import split_list
from gateway.domain.statements import StatementFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.serializers.statements import statement


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    types = query.filter("type")
    filters = StatementFilters(
        cohort_years=query.cohort_years(),
        types=None if types is None else split_list(types),
        updated_since=query.updated_since(),
    )
    async with read_connection() as conn:
        rows = await statements.list_statements(
            conn, rendering.request_caller(request), filters=filters, page=query.page
        )
    return rendering.many(rows, statement)


show = show_by_id(statements.get_statement, statement)
