"""Partnership: a school, a lead provider and a delivery partner working together in one cohort."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.partnerships import queries as partnerships
from gateway.domain.partnerships.queries import SORTABLE, PartnershipFilters
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, cohort_years, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation
from gateway.graphql.types.cohorts import Cohort
from gateway.graphql.types.delivery_partners import DeliveryPartner
from gateway.graphql.types.schools import School

if TYPE_CHECKING:
    from gateway.graphql.types.lead_providers import LeadProvider
    from gateway.graphql.types.participants import Participant

PartnershipOrder = order_enum("PartnershipOrder", SORTABLE, "Orders of the partnership list.")


@strawberry.type(description="An ECF partnership.")
class Partnership:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the partnership.")
    cohort: str = strawberry.field(description="The cohort for which you are reporting the partnership.")
    urn: str = strawberry.field(description="The Unique Reference Number (URN) of the school you are partnered with.")
    school_id: strawberry.ID = strawberry.field(description="The unique ID of the school you are partnered with.")
    delivery_partner_id: strawberry.ID = strawberry.field(
        description="The unique ID of the delivery partner you are working with for this partnership."
    )
    delivery_partner_name: str = strawberry.field(
        description="The name of the delivery partner you are working with for this partnership."
    )
    induction_tutor_name: str | None = strawberry.field(
        description="The name of the induction tutor at the school you are in partnership with."
    )
    induction_tutor_email: str | None = strawberry.field(
        description="The email address of the induction tutor at the school you are in partnership with."
    )
    participants_currently_training: int = strawberry.field(
        description="The number of ECTs or mentors currently training with you under this partnership (training periods "
        "that have started and not finished today)."
    )
    created_at: datetime = strawberry.field(description="The date the partnership was reported by you.")
    updated_at: datetime = strawberry.field(description="The date the partnership was last updated.")
    school: School = relation(
        lambda loaders: loaders.school_by_id_and_cohort,
        key="school_cohort_key",
        description="The school you are partnered with, as seen in the partnership's cohort.",
    )
    delivery_partner: DeliveryPartner = relation(
        lambda loaders: loaders.delivery_partner_by_id,
        key="delivery_partner_id",
        description="The delivery partner you are working with for this partnership.",
    )
    cohort_details: Cohort = relation(
        lambda loaders: loaders.cohort_by_id,
        key="cohort_id",
        description="The cohort for which you are reporting the partnership, with its rules.",
    )
    lead_provider: Annotated[LeadProvider, strawberry.lazy("gateway.graphql.types.lead_providers")] = relation(
        lambda loaders: loaders.lead_provider_by_id,
        key="lead_provider_id",
        description="The lead provider in the partnership (you, unless you are an analyst).",
    )
    participants: list[Annotated[Participant, strawberry.lazy("gateway.graphql.types.participants")]] = relation(
        lambda loaders: loaders.participants_by_partnership,
        key="id",
        many=True,
        bound=50,  # the ECTs and mentors of one school in one cohort, past and present
        description="The participants with a training period under this partnership, past, present or future, oldest first.",
    )


@strawberry.type
class PartnershipQuery:
    @strawberry.field(description="Your partnerships (analysts: every lead provider's).")
    async def partnerships(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        cohort: Annotated[
            list[str] | None, strawberry.argument(description="Only partnerships in these cohorts (years).")
        ] = None,
        delivery_partner_id: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only partnerships with these delivery partners."),
        ] = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only partnerships updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: PartnershipOrder = PartnershipOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]  # an enum made by order_enum at import time, which mypy cannot see as a type
    ) -> Connection[Partnership]:
        ctx = info.context
        filters = PartnershipFilters(
            cohort_years=cohort_years(cohort),
            delivery_partner_ids=arguments.ids(delivery_partner_id),
            updated_since=arguments.updated_since(updated_since),
            lead_provider_id=parse_id(lead_provider_id),
        )
        return await connection_of(
            ctx, partnerships.list_partnerships, partnerships.count_partnerships, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(
        description="One of your partnerships; null with a NOT_FOUND error if it is not yours or does not exist."
    )
    async def partnership(self, info: Info, id: strawberry.ID) -> Partnership | None:
        return await partnerships.get_partnership(info.context.conn, info.context.caller, parse_id(id))  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
