"""GET /api/v3/delivery-partners and /api/v3/delivery-partners/{id}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import read_connection
from gateway.domain import delivery_partners
from gateway.domain.delivery_partners import DEFAULT_ORDER, DeliveryPartnerFilters
from gateway.rest import rendering
from gateway.rest.endpoints.show import show_by_id
from gateway.rest.params import ListQuery
from gateway.rest.serializers.delivery_partners import delivery_partner

SORT_KEYS = {"created_at": "created_at", "updated_at": "updated_at"}


async def index(request: Request) -> Response:
    query = ListQuery(request.query_params)
    filters = DeliveryPartnerFilters(cohort_years=query.cohort_years())
    order = query.sort(SORT_KEYS, DEFAULT_ORDER)
    async with read_connection() as conn:
        rows = await delivery_partners.list_delivery_partners(
            conn, rendering.request_caller(request), filters=filters, order=order, page=query.page
        )
    return rendering.many(rows, delivery_partner)


show = show_by_id(delivery_partners.get_delivery_partner, delivery_partner)
