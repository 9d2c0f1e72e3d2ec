"""createDeclaration and voidDeclaration: the REST POST and void of participant declarations, same checks and messages.

Enumerated inputs are GraphQL enums, so a value outside the published list is
refused by validation before the action runs; an omitted one reaches the
action, which answers with the published "Enter a ..." message.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.declarations import actions
from gateway.domain.declarations.submission import DeclarationSubmission
from gateway.graphql.arguments import parse_id
from gateway.graphql.context import Info
from gateway.graphql.mutations.base import UserError, run_action
from gateway.graphql.relations import list_bound
from gateway.graphql.types.enums import CourseIdentifier, DeclarationType, EvidenceHeld

if TYPE_CHECKING:
    from gateway.graphql.types.declarations import Declaration


@strawberry.input(description="A declaration that a participant has reached a milestone.")
class CreateDeclarationInput:
    participant_id: strawberry.ID | None = strawberry.field(
        default=None, description="The unique ID of the participant."
    )
    declaration_type: DeclarationType | None = strawberry.field(default=None, description="The event declaration type.")
    declaration_date: str | None = strawberry.field(
        default=None, description="The event declaration date, RFC 3339 with a time zone, e.g. `2025-10-01T10:00:00Z`."
    )
    course_identifier: CourseIdentifier | None = strawberry.field(
        default=None, description="The type of course the participant is enrolled in."
    )
    evidence_held: EvidenceHeld | None = strawberry.field(
        default=None,
        description="The type of evidence the lead provider holds on their platform to demonstrate the participant has met "
        "the retention criteria for the current milestone period.",
    )


@strawberry.type(description="The declaration as it stands after the action, or why the action was refused.")
class DeclarationPayload:
    declaration: Annotated[Declaration, strawberry.lazy("gateway.graphql.types.declarations")] | None = (
        strawberry.field(description="The declaration; null when the action was refused.")
    )
    errors: list[UserError] = strawberry.field(
        description="Why the action was refused; empty when it was made.", metadata=list_bound(10)
    )


def _value(member):
    return None if member is None else member.value


@strawberry.type
class DeclarationMutation:
    @strawberry.mutation(
        description="Declare a participant has reached a milestone (POST /participant-declarations). Sending the same "
        "declaration again answers the one already recorded."
    )
    async def create_declaration(self, info: Info, input: CreateDeclarationInput) -> DeclarationPayload | None:
        caller = info.context.caller
        submission = DeclarationSubmission(
            participant_id=None if input.participant_id is None else str(input.participant_id),
            declaration_type=_value(input.declaration_type),
            declaration_date=input.declaration_date,
            course_identifier=_value(input.course_identifier),
            evidence_held=_value(input.evidence_held),
        )
        row, errors = await run_action(info.context, lambda conn: actions.create_declaration(conn, caller, submission))
        return DeclarationPayload(declaration=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name

    @strawberry.mutation(
        description="Void one of your declarations (PUT /participant-declarations/{id}/void); a paid one is clawed back "
        "on your next open statement."
    )
    async def void_declaration(
        self,
        info: Info,
        id: Annotated[strawberry.ID, strawberry.argument(description="The ID of the declaration to void.")],
    ) -> DeclarationPayload | None:
        caller = info.context.caller
        declaration_id = parse_id(id)
        row, errors = await run_action(
            info.context, lambda conn: actions.void_declaration(conn, caller, declaration_id)
        )
        return DeclarationPayload(declaration=row, errors=errors)  # type: ignore[arg-type]  # a domain row: Strawberry reads the type's fields from it by name
