"""Cohort: the call-off contract funding training that starts in one academic year."""

from __future__ import annotations

from datetime import date, datetime

import strawberry

from gateway.domain import cohorts
from gateway.graphql.context import Info
from gateway.graphql.relations import list_bound


@strawberry.type(description="A cohort: the call-off contract funding training that starts in one academic year.")
class Cohort:
    id: strawberry.ID = strawberry.field(description="The unique ID of the cohort.")
    year: int = strawberry.field(description="The year the cohort's training starts, e.g. 2025.")
    starts_on: date = strawberry.field(description="The day the cohort opens; no partnership may be created before it.")
    registration_open: bool = strawberry.field(description="Whether partnerships can be created for this cohort.")
    payments_frozen_at: datetime | None = strawberry.field(
        description="When the cohort's funding contract ended; no declarations are accepted after it."
    )
    mentor_funding: bool = strawberry.field(
        description="Mentor training in this cohort is funded by started and completed declarations only."
    )
    detailed_evidence_types: bool = strawberry.field(
        description="Declarations in this cohort need the detailed evidence types of 2025 onwards."
    )
    created_at: datetime = strawberry.field(description="The date and time the cohort was created.")
    updated_at: datetime = strawberry.field(description="The date and time the cohort was last updated.")


@strawberry.type
class CohortQuery:
    @strawberry.field(description="Every cohort, oldest first.", metadata=list_bound(10))
    async def cohorts(self, info: Info) -> list[Cohort]:
        return await cohorts.list_cohorts(info.context.conn, info.context.caller)  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
