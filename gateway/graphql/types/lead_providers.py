"""LeadProvider (the organisations calling the API) and Me (the caller itself)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import lead_providers
from gateway.graphql.context import Info
from gateway.graphql.relations import list_bound, relation
from gateway.graphql.types.enums import Role

if TYPE_CHECKING:
    from gateway.graphql.types.statements import Statement


@strawberry.type(
    description="A lead provider: an organisation the DfE pays to train early career teachers and their mentors."
)
class LeadProvider:
    id: strawberry.ID = strawberry.field(description="The unique ID of the lead provider.")
    name: str = strawberry.field(description="The name of the lead provider.")
    created_at: datetime = strawberry.field(description="The date the lead provider was created.")
    updated_at: datetime = strawberry.field(description="The date the lead provider was last updated.")
    statements: list[Annotated[Statement, strawberry.lazy("gateway.graphql.types.statements")]] = relation(
        lambda loaders: loaders.statements_by_lead_provider,
        key="id",
        many=True,
        bound=100,  # monthly statements over the open cohorts' contracts
        description="The provider's statements you may see (a provider: its own output-fee statements), by payment date.",
    )


@strawberry.type(description="Who is calling: the token's role and, for a lead provider's token, that lead provider.")
class Me:
    role: Role = strawberry.field(description="What the token may do.")
    lead_provider: LeadProvider | None = relation(
        lambda loaders: loaders.lead_provider_by_id,
        key="lead_provider_id",
        description="The lead provider the token belongs to; null for DfE tokens.",
    )


@strawberry.type
class LeadProviderQuery:
    @strawberry.field(
        description="Lead providers you may see (a provider: itself; analysts: every provider), by name.",
        metadata=list_bound(20),
    )
    async def lead_providers(self, info: Info) -> list[LeadProvider]:
        return await lead_providers.list_lead_providers(info.context.conn, info.context.caller)  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name

    @strawberry.field(description="The caller: the token's role and its lead provider.")
    def me(self, info: Info) -> Me:
        return info.context.caller  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
