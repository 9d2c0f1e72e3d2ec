"""UnfundedMentor: a mentor of your ECTs who does not train with you; the ``unfundedMentors`` root fields."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.participants import unfunded_mentors
from gateway.domain.participants.unfunded_mentors import SORTABLE, UnfundedMentorFilters
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation

if TYPE_CHECKING:
    from gateway.graphql.types.participants import Participant

UnfundedMentorOrder = order_enum("UnfundedMentorOrder", SORTABLE, "Orders of the unfunded mentor list.")


@strawberry.type(
    description="The details of an unfunded mentor: a mentor of your ECTs with no training period of their own with you."
)
class UnfundedMentor:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the mentor record.")
    full_name: str = strawberry.field(description="The full name of this mentor.")
    email: str | None = strawberry.field(description="The email address registered for this unfunded mentor.")
    teacher_reference_number: str | None = strawberry.field(
        description="The Teacher Reference Number (TRN) for this participant."
    )
    created_at: datetime = strawberry.field(description="The date and time the unfunded mentor was created.")
    updated_at: datetime = strawberry.field(description="The date and time the unfunded mentor was last updated.")
    mentees: list[Annotated[Participant, strawberry.lazy("gateway.graphql.types.participants")]] = relation(
        lambda loaders: loaders.mentees_by_mentor,
        key="id",
        many=True,
        bound=10,  # the ECTs one mentor mentors
        description="Your ECTs this mentor mentors, oldest first.",
    )


@strawberry.type
class UnfundedMentorQuery:
    @strawberry.field(
        description="Mentors of your ECTs who have no training period with you; analysts: every provider's."
    )
    async def unfunded_mentors(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only mentors updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: UnfundedMentorOrder = UnfundedMentorOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]  # an enum made by order_enum at import time, which mypy cannot see as a type
    ) -> Connection[UnfundedMentor]:
        ctx = info.context
        filters = UnfundedMentorFilters(
            updated_since=arguments.updated_since(updated_since), lead_provider_id=parse_id(lead_provider_id)
        )
        return await connection_of(
            ctx, unfunded_mentors.list_unfunded_mentors, unfunded_mentors.count_unfunded_mentors, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(
        description="One unfunded mentor; null with a NOT_FOUND error if they are not an unfunded mentor of yours."
    )
    async def unfunded_mentor(self, info: Info, id: strawberry.ID) -> UnfundedMentor | None:
        return await unfunded_mentors.get_unfunded_mentor(info.context.conn, info.context.caller, parse_id(id))  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
