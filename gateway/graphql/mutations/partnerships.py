"""createPartnership and updatePartnership: the REST POST and PUT of partnerships, with the same checks and messages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.partnerships import actions
from gateway.graphql.arguments import parse_id
from gateway.graphql.context import Info
from gateway.graphql.mutations.base import UserError, run_action
from gateway.graphql.relations import list_bound

if TYPE_CHECKING:
    from gateway.graphql.types.partnerships import Partnership


@strawberry.input(description="A partnership to confirm with a school and a delivery partner for a cohort.")
class CreatePartnershipInput:
    cohort: str | None = strawberry.field(
        default=None, description='The cohort for which you are reporting the partnership, e.g. "2025".'
    )
    school_id: strawberry.ID | None = strawberry.field(
        default=None, description="The unique ID of the school you are partnering with."
    )
    delivery_partner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The unique ID of the delivery partner you will work with for this school partnership.",
    )


@strawberry.input(description="A new delivery partner for one of your partnerships.")
class UpdatePartnershipInput:
    id: strawberry.ID = strawberry.field(description="The ID of the partnership to update.")
    delivery_partner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The unique ID of the delivery partner you will work with for this school partnership.",
    )


@strawberry.type(description="The partnership as it stands after the change, or why the change was refused.")
class PartnershipPayload:
    partnership: Annotated[Partnership, strawberry.lazy("gateway.graphql.types.partnerships")] | None = (
        strawberry.field(description="The partnership; null when the change was refused.")
    )
    errors: list[UserError] = strawberry.field(
        description="Why the change was refused; empty when it was made.", metadata=list_bound(10)
    )


@strawberry.type
class PartnershipMutation:
    @strawberry.mutation(
        description="Create a partnership with a school and delivery partner for a cohort (POST /partnerships)."
    )
    async def create_partnership(self, info: Info, input: CreatePartnershipInput) -> PartnershipPayload:
        caller = info.context.caller
        row, errors = await run_action(
            info.context,
            lambda conn: actions.create_partnership(
                conn,
                caller,
                cohort=input.cohort,
                school_id=input.school_id,
                delivery_partner_id=input.delivery_partner_id,
            ),
        )
        return PartnershipPayload(partnership=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name

    @strawberry.mutation(description="Give one of your partnerships another delivery partner (PUT /partnerships/{id}).")
    async def update_partnership(self, info: Info, input: UpdatePartnershipInput) -> PartnershipPayload:
        caller = info.context.caller
        partnership_id = parse_id(input.id)
        row, errors = await run_action(
            info.context,
            lambda conn: actions.update_partnership(
                conn, caller, partnership_id, delivery_partner_id=input.delivery_partner_id
            ),
        )
        return PartnershipPayload(partnership=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name
