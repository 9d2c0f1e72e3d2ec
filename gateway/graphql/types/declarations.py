"""Declaration: a lead provider's claim that a participant reached a training milestone."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.declarations import queries
from gateway.domain.declarations.queries import SORTABLE, DeclarationFilters
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation
from gateway.graphql.types.delivery_partners import DeliveryPartner
from gateway.graphql.types.enums import (
    CourseIdentifier,
    DeclarationState,
    DeclarationType,
    EvidenceHeld,
    IneligibleForFundingReason,
)

if TYPE_CHECKING:
    from gateway.graphql.types.lead_providers import LeadProvider
    from gateway.graphql.types.participants import Participant
    from gateway.graphql.types.statements import Statement

DeclarationOrder = order_enum("DeclarationOrder", SORTABLE, "Orders of the declaration list.")

_Statement = Annotated["Statement", strawberry.lazy("gateway.graphql.types.statements")]
_Participant = Annotated["Participant", strawberry.lazy("gateway.graphql.types.participants")]


@strawberry.type(description="A participant declaration: a claim that a participant reached a training milestone.")
class Declaration:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the participant declaration record.")
    participant_id: strawberry.ID = strawberry.field(description="The unique id of the participant.")
    declaration_type: DeclarationType = strawberry.field(description="The event declaration type.")
    declaration_date: datetime = strawberry.field(description="The event declaration date.")
    course_identifier: CourseIdentifier = strawberry.field(
        description="The type of course the participant is enrolled in."
    )
    state: DeclarationState = strawberry.field(description="Indicates the state of this payment declaration.")
    updated_at: datetime = strawberry.field(description="The date the declaration was last updated.")
    created_at: datetime = strawberry.field(description="The date the declaration was created.")
    delivery_partner_id: strawberry.ID | None = strawberry.field(
        description="Unique ID of the delivery partner associated with the participant at the time the declaration was created."
    )
    statement_id: strawberry.ID | None = strawberry.field(
        description="Unique ID of the statement the declaration will be paid as part of."
    )
    clawback_statement_id: strawberry.ID | None = strawberry.field(
        description="Unique id of the statement to which the declaration will be clawed back on, if any."
    )
    ineligible_for_funding_reason: IneligibleForFundingReason | None = strawberry.field(
        description="If the declaration is ineligible, the reason why."
    )
    mentor_id: strawberry.ID | None = strawberry.field(description="Unique ID of the ECT's mentor.")
    uplift_paid: bool = strawberry.field(
        description="If participant is eligible for uplift, whether it has been paid as part of this declaration."
    )
    evidence_held: EvidenceHeld | None = strawberry.field(
        description="The type of evidence the lead provider holds on their platform to demonstrate the participant has met "
        "the retention criteria for the current milestone period."
    )
    has_passed: bool | None = strawberry.field(
        description="Whether the participant has failed or passed (null for ECF)."
    )
    lead_provider_name: str = strawberry.field(description="The name of the provider that submitted the declaration.")
    participant: _Participant | None = relation(
        lambda loaders: loaders.participant_by_id,
        key="participant_id",
        description="The participant the declaration is for (null if you do not train them).",
    )
    mentor: _Participant | None = relation(
        lambda loaders: loaders.participant_by_id,
        key="mentor_id",
        description="The ECT's mentor when the declaration was made (null if none, or if you do not train the mentor).",
    )
    statement: _Statement | None = relation(
        lambda loaders: loaders.statement_by_id,
        key="statement_id",
        description="The statement the declaration will be paid as part of (null if none, or if it is not one of yours).",
    )
    clawback_statement: _Statement | None = relation(
        lambda loaders: loaders.statement_by_id,
        key="clawback_statement_id",
        description="The statement the declaration will be clawed back on (null if none, or if it is not one of yours).",
    )
    delivery_partner: DeliveryPartner | None = relation(
        lambda loaders: loaders.delivery_partner_by_id,
        key="delivery_partner_id",
        description="The delivery partner associated with the participant at the time the declaration was created.",
    )
    lead_provider: Annotated[LeadProvider, strawberry.lazy("gateway.graphql.types.lead_providers")] = relation(
        lambda loaders: loaders.lead_provider_by_id,
        key="lead_provider_id",
        description="The provider that submitted the declaration.",
    )


@strawberry.type
class DeclarationQuery:
    @strawberry.field(
        description="Your declarations, and other providers' billable declarations of participants you train or trained "
        "(analysts: every declaration), oldest first."
    )
    async def declarations(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        cohort: Annotated[
            list[str] | None, strawberry.argument(description="Only declarations in these cohorts (years).")
        ] = None,
        participant_id: Annotated[
            list[strawberry.ID] | None, strawberry.argument(description="Only declarations for these participants.")
        ] = None,
        delivery_partner_id: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only declarations associated to these delivery partners."),
        ] = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only declarations updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: DeclarationOrder = DeclarationOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]  # an enum made by order_enum at import time, which mypy cannot see as a type
    ) -> Connection[Declaration]:
        ctx = info.context
        filters = DeclarationFilters(
            cohort_years=arguments.cohort_years(cohort),
            participant_ids=arguments.ids(participant_id),
            delivery_partner_ids=arguments.ids(delivery_partner_id),
            updated_since=arguments.updated_since(updated_since),
            lead_provider_id=parse_id(lead_provider_id),
        )
        return await connection_of(
            ctx, queries.list_declarations, queries.count_declarations, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(description="One declaration; null with a NOT_FOUND error if you cannot see it.")
    async def declaration(self, info: Info, id: strawberry.ID) -> Declaration | None:
        return await queries.get_declaration(info.context.conn, info.context.caller, parse_id(id))  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
