"""School: a school as seen in one cohort, with the caller's partnerships there."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import schools
from gateway.domain.schools import SORTABLE, SchoolFilters, parse_school_cohort
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation
from gateway.graphql.types.enums import InductionProgrammeChoice

if TYPE_CHECKING:
    from gateway.graphql.types.partnerships import Partnership


def _flags(loaders):
    return loaders.school_cohort_flags


SchoolOrder = order_enum("SchoolOrder", SORTABLE, "Orders of the school list.")

_COHORT = "The cohort the school is seen in (a year, e.g. `2025`): its eligibility, partnerships and choices are those of that cohort."


@strawberry.type(description="An ECF school, as seen in one cohort.")
class School:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the school.")
    name: str = strawberry.field(description="The name of the school.")
    urn: str = strawberry.field(description="The Unique Reference Number (URN) of the school.")
    cohort: str = strawberry.field(
        description="Indicates which call-off contract funds this participant's training. 2021 indicates a participant "
        "that has started, or will start, their training in the 2021/22 academic year."
    )
    in_partnership: bool = relation(
        _flags,
        key="flags_key",
        attribute="in_partnership",
        description="Whether or not the school already has an active partnership, if it is doing a funded induction programme.",
    )
    induction_programme_choice: InductionProgrammeChoice = relation(
        _flags,
        key="flags_key",
        attribute="induction_programme_choice",
        description="The induction programme the school offers.",
    )
    expression_of_interest: bool = relation(
        _flags,
        key="flags_key",
        attribute="expression_of_interest",
        description="Whether the school has registered participants with you for this cohort (stays true once you partner the "
        "school). Analysts: with any lead provider, or with the one named by `leadProviderId`.",
    )
    induction_tutor_name: str | None = relation(
        _flags,
        key="flags_key",
        attribute="induction_tutor_name",
        description="The name of the school's induction tutor; null unless `expressionOfInterest` is true.",
    )
    induction_tutor_email: str | None = relation(
        _flags,
        key="flags_key",
        attribute="induction_tutor_email",
        description="The email address of the school's induction tutor; null unless `expressionOfInterest` is true.",
    )
    created_at: datetime = strawberry.field(description="The date and time the school was created.")
    updated_at: datetime = strawberry.field(
        description="The last time a change was made to this school record (or to its details for the cohort) by the DfE."
    )
    partnerships: list[Annotated[Partnership, strawberry.lazy("gateway.graphql.types.partnerships")]] = relation(
        lambda loaders: loaders.partnerships_by_school_and_cohort,
        key="school_cohort_key",
        many=True,
        bound=5,  # a school works with one provider a cohort; a change of provider leaves the old one
        description="Your partnerships with the school in this cohort, oldest first (analysts: every provider's).",
    )


@strawberry.type
class SchoolQuery:
    @strawberry.field(
        description="Schools in one cohort: those eligible for funding in it, and those any lead provider partners in it."
    )
    async def schools(
        self,
        info: Info,
        cohort: Annotated[str, strawberry.argument(description=_COHORT)],
        urn: Annotated[str | None, strawberry.argument(description="Only the school with this URN.")] = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only schools updated at or after this ISO 8601 date or date-time."),
        ] = None,
        first: page_size = 100,
        after: after_cursor = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: SchoolOrder = SchoolOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]
    ) -> Connection[School]:
        ctx = info.context
        filters = SchoolFilters(
            cohort_year=parse_school_cohort(cohort),
            urn=urn,
            updated_since=arguments.updated_since(updated_since),
            lead_provider_id=parse_id(lead_provider_id),
        )
        return await connection_of(
            ctx, partial(schools.list_schools, with_flags=False), schools.count_schools, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(
        description="One school as seen in a cohort; null with a NOT_FOUND error if it is not listed in that cohort."
    )
    async def school(
        self,
        info: Info,
        id: strawberry.ID,
        cohort: Annotated[str, strawberry.argument(description=_COHORT)],
        lead_provider_id: lead_provider_filter = None,
    ) -> School | None:
        ctx = info.context
        return await schools.get_school(  # type: ignore[return-value]
            ctx.conn,
            ctx.caller,
            parse_id(id),
            cohort_year=parse_school_cohort(cohort),
            lead_provider_id=parse_id(lead_provider_id),
            with_flags=False,
        )
