"""DfE finance mutations: close a statement, authorise its payment, make a training record eligible for funding.

Only DfE finance tokens may run them; anyone else gets a FORBIDDEN error.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain import finance
from gateway.graphql.arguments import parse_id
from gateway.graphql.context import Info
from gateway.graphql.mutations.base import UserError, run_action
from gateway.graphql.relations import list_bound
from gateway.graphql.types.enums import ParticipantType

if TYPE_CHECKING:
    from gateway.graphql.types.declarations import Declaration
    from gateway.graphql.types.statements import Statement

_Statement = Annotated["Statement", strawberry.lazy("gateway.graphql.types.statements")]
_Declaration = Annotated["Declaration", strawberry.lazy("gateway.graphql.types.declarations")]
_StatementId = Annotated[strawberry.ID, strawberry.argument(description="The unique identifier of the statement.")]


@strawberry.type(description="The statement as it stands after the action, or why the action was refused.")
class StatementPayload:
    statement: _Statement | None = strawberry.field(description="The statement; null when the action was refused.")
    errors: list[UserError] = strawberry.field(
        description="Why the action was refused; empty when it was made.", metadata=list_bound(10)
    )


@strawberry.type(description="A participant's training record in one role, and its funding.")
class TrainingRecordFunding:
    id: strawberry.ID = strawberry.field(description="The unique ID of the training record (`training_record_id`).")
    participant_id: strawberry.ID = strawberry.field(description="The unique ID of the participant.")
    participant_type: ParticipantType = strawberry.field(description="The role the training record refers to.")
    eligible_for_funding: bool = strawberry.field(
        description="Whether DfE funds the participant's training in this role."
    )
    updated_at: datetime = strawberry.field(description="The date the training record was last updated.")
    declarations: list[_Declaration] = strawberry.field(
        description="The training record's declarations, oldest first.", metadata=list_bound(10)
    )


@strawberry.type(description="The training record as it stands after the action, or why the action was refused.")
class TrainingRecordFundingPayload:
    training_record: TrainingRecordFunding | None = strawberry.field(
        description="The training record; null when the action was refused."
    )
    errors: list[UserError] = strawberry.field(
        description="Why the action was refused; empty when it was made.", metadata=list_bound(10)
    )


@strawberry.type
class FinanceMutation:
    @strawberry.mutation(
        description="DfE finance: mark a statement payable once its cut-off date has passed; its eligible declarations "
        "become payable."
    )
    async def mark_statement_payable(self, info: Info, id: _StatementId) -> StatementPayload | None:
        caller = info.context.caller
        statement_id = parse_id(id)
        row, errors = await run_action(
            info.context, lambda conn: finance.mark_statement_payable(conn, caller, statement_id)
        )
        return StatementPayload(statement=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name

    @strawberry.mutation(
        description="DfE finance: authorise payment of a payable statement; its payable declarations are paid and those "
        "awaiting clawback on it are clawed back."
    )
    async def authorise_statement_payment(self, info: Info, id: _StatementId) -> StatementPayload | None:
        caller = info.context.caller
        statement_id = parse_id(id)
        row, errors = await run_action(info.context, lambda conn: finance.authorise_payment(conn, caller, statement_id))
        return StatementPayload(statement=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name

    @strawberry.mutation(
        description="DfE finance: a participant is eligible for funding in one role; its submitted declarations become "
        "eligible, on the next open output-fee statement."
    )
    async def mark_training_record_eligible(
        self,
        info: Info,
        training_record_id: Annotated[
            strawberry.ID, strawberry.argument(description="The unique ID of the training record.")
        ],
    ) -> TrainingRecordFundingPayload | None:
        caller = info.context.caller
        record_id = parse_id(training_record_id)
        row, errors = await run_action(
            info.context, lambda conn: finance.mark_training_record_eligible(conn, caller, record_id)
        )
        return TrainingRecordFundingPayload(training_record=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name
