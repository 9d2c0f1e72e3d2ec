"""Schedule and Milestone: when each declaration of a cohort's schedule may be dated."""

from __future__ import annotations

from datetime import date

import strawberry

from gateway.graphql.relations import relation
from gateway.graphql.types.cohorts import Cohort
from gateway.graphql.types.enums import DeclarationType, ScheduleIdentifier


@strawberry.type(description="The window in which a declaration of one type may be dated, on one schedule.")
class Milestone:
    declaration_type: DeclarationType = strawberry.field(description="The declaration type this milestone is for.")
    start_date: date = strawberry.field(description="The first day a declaration of this type may be dated.")
    milestone_date: date | None = strawberry.field(
        description="The last day a declaration of this type may be dated; null when the window has no end."
    )


@strawberry.type(description="An ECF schedule of one cohort: the milestones a participant's declarations follow.")
class Schedule:
    id: strawberry.ID = strawberry.field(description="The unique ID of the schedule.")
    identifier: ScheduleIdentifier = strawberry.field(description="The schedule identifier, as the API spells it.")
    name: str = strawberry.field(description="The name of the schedule.")
    cohort: str = strawberry.field(description="The cohort the schedule belongs to (a year, e.g. `2025`).")
    cohort_details: Cohort = relation(
        lambda loaders: loaders.cohort_by_id,
        key="cohort_id",
        description="The cohort the schedule belongs to, with its rules.",
    )
    milestones: list[Milestone] = relation(
        lambda loaders: loaders.milestones_by_schedule,
        key="id",
        many=True,
        bound=10,  # started, retained-1 to 4, completed, extended-1 to 3
        description="The schedule's milestones in declaration order (started, retained-1 to 4, completed, extended-1 to 3).",
    )
