"""POST /api/v3/partnerships[/ecf] and PUT /api/v3/partnerships[/ecf]/{id}: answered with the partnership as the GETs render it."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from gateway.db.engine import write_transaction
from gateway.domain.partnerships import actions
from gateway.rest import bodies, rendering
from gateway.rest.params import path_id
from gateway.rest.rendering import Serializer


async def create(request: Request, *, serializer: Serializer) -> Response:
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.create_partnership(
            conn,
            rendering.request_caller(request),
            cohort=bodies.text(attributes, "cohort"),
            school_id=bodies.text(attributes, "school_id"),
            delivery_partner_id=bodies.text(attributes, "delivery_partner_id"),
        )
    return rendering.one(row, serializer)


async def update(request: Request, *, serializer: Serializer) -> Response:
    partnership_id = path_id(request.path_params["id"])
    attributes = await bodies.attributes(request)
    async with write_transaction() as conn:
        row = await actions.update_partnership(
            conn,
            rendering.request_caller(request),
            partnership_id,
            delivery_partner_id=bodies.text(attributes, "delivery_partner_id"),
        )
    return rendering.one(row, serializer)
