"""DeliveryPartner: an organisation delivering training for a lead provider in a cohort."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import delivery_partners
from gateway.domain.delivery_partners import SORTABLE, DeliveryPartnerFilters
from gateway.graphql.arguments import after_cursor, cohort_years, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation
from gateway.graphql.types.cohorts import Cohort

if TYPE_CHECKING:
    from gateway.graphql.types.partnerships import Partnership

DeliveryPartnerOrder = order_enum("DeliveryPartnerOrder", SORTABLE, "Orders of the delivery partner list.")


@strawberry.type(description="A delivery partner working with the lead provider in one or more cohorts.")
class DeliveryPartner:
    id: strawberry.ID = strawberry.field(description="The unique ID of the delivery partner.")
    name: str = strawberry.field(description="The name of the delivery partner you are working with.")
    cohort: list[str] = relation(
        lambda loaders: loaders.delivery_partner_cohort_years,
        key="cohorts_key",
        many=True,
        bound=10,  # every cohort there is
        description="The cohorts for which you may declare training with this delivery partner (years, ascending).",
    )
    cohorts: list[Cohort] = relation(
        lambda loaders: loaders.delivery_partner_cohorts,
        key="cohorts_key",
        many=True,
        bound=10,  # every cohort there is
        description="The cohorts for which you may declare training with this delivery partner.",
    )
    created_at: datetime = strawberry.field(description="The date the delivery partner was created.")
    updated_at: datetime = strawberry.field(description="The date the delivery partner was last updated.")
    partnerships: list[Annotated[Partnership, strawberry.lazy("gateway.graphql.types.partnerships")]] = relation(
        lambda loaders: loaders.partnerships_by_delivery_partner,
        key="id",
        many=True,
        bound=150,  # the schools one delivery partner works with, every cohort
        description="Your partnerships with this delivery partner, oldest first (analysts: every provider's).",
    )


@strawberry.type
class DeliveryPartnerQuery:
    @strawberry.field(
        description="Delivery partners with a provider relationship to you (analysts: to any lead provider)."
    )
    async def delivery_partners(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        cohort: Annotated[
            list[str] | None, strawberry.argument(description="Only partners working in these cohorts.")
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: DeliveryPartnerOrder = DeliveryPartnerOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]
    ) -> Connection[DeliveryPartner]:
        ctx = info.context
        filters = DeliveryPartnerFilters(cohort_years=cohort_years(cohort), lead_provider_id=parse_id(lead_provider_id))
        return await connection_of(
            ctx, partial(delivery_partners.list_delivery_partners, with_cohorts=False),
            delivery_partners.count_delivery_partners, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(
        description="One delivery partner; null with a NOT_FOUND error if you have no relationship with it."
    )
    async def delivery_partner(self, info: Info, id: strawberry.ID) -> DeliveryPartner | None:
        ctx = info.context
        return await delivery_partners.get_delivery_partner(ctx.conn, ctx.caller, parse_id(id), with_cohorts=False)  # type: ignore[return-value]
