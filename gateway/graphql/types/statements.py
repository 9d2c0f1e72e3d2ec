"""Statement: a lead provider's monthly payment statement for one cohort."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import statements
from gateway.domain.statements import SORTABLE, StatementFilters, StatementRow
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import relation
from gateway.graphql.types.cohorts import Cohort
from gateway.graphql.types.enums import StatementStatus

if TYPE_CHECKING:
    from gateway.graphql.types.declarations import Declaration
    from gateway.graphql.types.lead_providers import LeadProvider

StatementOrder = order_enum("StatementOrder", SORTABLE, "Orders of the statement list.")


def _year(root: StatementRow) -> str:
    return str(root.year)


def _cohort(root: StatementRow) -> str:
    return str(root.cohort)


@strawberry.type(
    description="A financial statement as part of which the DfE makes output payments for ECF participants."
)
class Statement:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the financial statement.")
    month_name: str = strawberry.field(
        name="month", description="The month which appears on the statement in the DfE portal."
    )
    year: str = strawberry.field(
        resolver=_year, description="The calendar year which appears on the statement in the DfE portal."
    )
    type: str = strawberry.field(description="Type of statement: always `ecf`.")
    cohort: str = strawberry.field(resolver=_cohort, description="The cohort which the statement funds.")
    cut_off_date: date = strawberry.field(description="The milestone cut off or review point for the statement.")
    payment_date: date = strawberry.field(
        description="The date we expect to pay you for any declarations attached to the statement, which are eligible for payment."
    )
    paid: bool = strawberry.field(
        description="Indicates whether the DfE has paid providers for any declarations attached to the statement."
    )
    status: StatementStatus = strawberry.field(
        description="Where the statement is in its payment cycle: open, payable (its cut-off has passed) or paid."
    )
    output_fee: bool = strawberry.field(description="Whether declarations are paid on this statement (output fees).")
    paid_at: datetime | None = strawberry.field(description="When the DfE authorised payment of the statement.")
    created_at: datetime = strawberry.field(description="The date the statement was created.")
    updated_at: datetime = strawberry.field(description="The date the statement was last updated.")
    declarations: list[Annotated[Declaration, strawberry.lazy("gateway.graphql.types.declarations")]] = relation(
        lambda loaders: loaders.declarations_by_statement,
        key="id",
        many=True,
        bound=500,  # a month of one provider's declarations in one cohort
        description="The declarations paid, or clawed back, on this statement, oldest first.",
    )
    lead_provider: Annotated[LeadProvider, strawberry.lazy("gateway.graphql.types.lead_providers")] = relation(
        lambda loaders: loaders.lead_provider_by_id,
        key="lead_provider_id",
        description="The lead provider the statement pays.",
    )
    cohort_details: Cohort = relation(
        lambda loaders: loaders.cohort_by_id,
        key="cohort_id",
        description="The cohort which the statement funds, with its rules.",
    )


@strawberry.type
class StatementQuery:
    @strawberry.field(description="Your output-fee statements, by payment date (analysts: every statement).")
    async def statements(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        cohort: Annotated[
            list[str] | None, strawberry.argument(description="Only statements funding these cohorts (years).")
        ] = None,
        type_: Annotated[
            list[str] | None,
            strawberry.argument(
                name="type", description="Only statements of these types; `ecf` is the only one there is."
            ),
        ] = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only statements updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: StatementOrder = StatementOrder.PAYMENT_DATE_ASC,  # type: ignore[valid-type,attr-defined]  # an enum made by order_enum at import time, which mypy cannot see as a type
    ) -> Connection[Statement]:
        ctx = info.context
        filters = StatementFilters(
            cohort_years=arguments.cohort_years(cohort),
            types=type_,
            updated_since=arguments.updated_since(updated_since),
            lead_provider_id=parse_id(lead_provider_id),
        )
        return await connection_of(
            ctx, statements.list_statements, statements.count_statements, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(description="One statement; null with a NOT_FOUND error if it is not one of yours.")
    async def statement(self, info: Info, id: strawberry.ID) -> Statement | None:
        return await statements.get_statement(info.context.conn, info.context.caller, parse_id(id))  # type: ignore[return-value]  # a domain row: Strawberry reads the type's fields from it by name
