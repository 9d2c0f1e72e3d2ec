"""Transfers: participants moving school; the ``participantTransfers`` root fields (one item per participant)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.participants import transfers
from gateway.domain.participants.transfers import SORTABLE, TransferFilters
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import list_bound, relation
from gateway.graphql.types.enums import TransferStatus, TransferType

if TYPE_CHECKING:
    from gateway.graphql.types.lead_providers import LeadProvider
    from gateway.graphql.types.participants import Participant
    from gateway.graphql.types.schools import School

ParticipantTransfersOrder = order_enum(
    "ParticipantTransfersOrder", SORTABLE, "Orders of the participant transfers list."
)


@strawberry.type(description="One side of a transfer: the school and provider a participant is leaving or joining.")
class TransferSide:
    school_urn: str = strawberry.field(description="The URN of the school the participant is leaving or joining.")
    provider_name: str | None = strawberry.field(
        description="The name of the provider the participant is leaving or joining; null for school-led training."
    )
    date: date = strawberry.field(
        description="Leaving: the date the participant will be leaving (or left) the school. Joining: the date the "
        "participant will be joining (or joined) the school."
    )
    school: Annotated[School, strawberry.lazy("gateway.graphql.types.schools")] | None = relation(
        lambda loaders: loaders.school_by_id_and_cohort,
        key="school_key",
        description="The school, as seen in the cohort of the participant's training period there.",
    )
    provider: Annotated[LeadProvider, strawberry.lazy("gateway.graphql.types.lead_providers")] | None = relation(
        lambda loaders: loaders.lead_provider_by_id,
        key="lead_provider_id",
        description="The provider the participant is leaving or joining; null for school-led training.",
    )


@strawberry.type(description="The details of an ECF participant transfer.")
class Transfer:
    training_record_id: strawberry.ID = strawberry.field(
        description="The unique identifier of the participant training record."
    )
    transfer_type: TransferType = strawberry.field(description="The type of transfer between schools.")
    status: TransferStatus = strawberry.field(
        description="The status of the transfer, if both leaving and joining SIT have completed their journeys or only one has."
    )
    leaving: TransferSide = strawberry.field(description="The details of an ECF Participant leaving a school.")
    joining: TransferSide | None = strawberry.field(
        description="The details of an ECF Participant joining a school; null when where they go is not known."
    )
    created_at: datetime = strawberry.field(description="The date and time the ECF participant transfer was created.")


@strawberry.type(description="A participant's transfers you are on one side of.")
class ParticipantTransfers:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the participant record.")
    updated_at: datetime = strawberry.field(description="The date and time the ECF participant was last updated.")
    transfers: list[Transfer] = strawberry.field(
        description="List of participant transfers, in the order they happened.", metadata=list_bound(5)
    )
    participant: Annotated[Participant, strawberry.lazy("gateway.graphql.types.participants")] | None = relation(
        lambda loaders: loaders.participant_by_id,
        key="id",
        description="The participant who transfers.",
    )


@strawberry.type
class ParticipantTransfersQuery:
    @strawberry.field(
        description="Participants with a transfer you are on one side of (leaving or joining), one item each; analysts: "
        "every provider's."
    )
    async def participant_transfers(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only participants updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: ParticipantTransfersOrder = ParticipantTransfersOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]  # an enum made by order_enum at import time, which mypy cannot see as a type
    ) -> Connection[ParticipantTransfers]:
        ctx = info.context
        filters = TransferFilters(
            updated_since=arguments.updated_since(updated_since), lead_provider_id=parse_id(lead_provider_id)
        )
        return await connection_of(
            ctx, transfers.list_participant_transfers, transfers.count_participant_transfers, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(
        description="One participant's transfers; null with a NOT_FOUND error if you are on no side of any."
    )
    async def participant_transfer(self, info: Info, id: strawberry.ID) -> ParticipantTransfers | None:
        return await transfers.get_participant_transfers(info.context.conn, info.context.caller, parse_id(id))  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
