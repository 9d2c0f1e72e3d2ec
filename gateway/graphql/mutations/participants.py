"""withdrawParticipant, deferParticipant, resumeParticipant and changeParticipantSchedule: the REST participant
actions, with the same checks and messages. Enumerated attributes are GraphQL enums, so a value outside them is
refused by validation before the action runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.participants import actions
from gateway.graphql.arguments import parse_id
from gateway.graphql.context import Info
from gateway.graphql.mutations.base import UserError, run_action
from gateway.graphql.relations import list_bound
from gateway.graphql.types.enums import CourseIdentifier, DeferralReason, ScheduleIdentifier, WithdrawalReason

if TYPE_CHECKING:
    from gateway.graphql.types.participants import Participant

_PARTICIPANT_ID = "The ID of the participant."
_COURSE = "The type of course the participant is enrolled in."


@strawberry.input(description="A participant withdrawing from their course.")
class WithdrawParticipantInput:
    participant_id: strawberry.ID = strawberry.field(description=_PARTICIPANT_ID)
    course_identifier: CourseIdentifier | None = strawberry.field(default=None, description=_COURSE)
    reason: WithdrawalReason | None = strawberry.field(default=None, description="The reason for the withdrawal.")


@strawberry.input(description="A participant taking a break from their course.")
class DeferParticipantInput:
    participant_id: strawberry.ID = strawberry.field(description=_PARTICIPANT_ID)
    course_identifier: CourseIdentifier | None = strawberry.field(default=None, description=_COURSE)
    reason: DeferralReason | None = strawberry.field(default=None, description="The reason for the deferral.")


@strawberry.input(description="A withdrawn or deferred participant resuming their course.")
class ResumeParticipantInput:
    participant_id: strawberry.ID = strawberry.field(description=_PARTICIPANT_ID)
    course_identifier: CourseIdentifier | None = strawberry.field(default=None, description=_COURSE)


@strawberry.input(description="A participant changing training schedule (and possibly cohort).")
class ChangeParticipantScheduleInput:
    participant_id: strawberry.ID = strawberry.field(description=_PARTICIPANT_ID)
    course_identifier: CourseIdentifier | None = strawberry.field(default=None, description=_COURSE)
    schedule_identifier: ScheduleIdentifier | None = strawberry.field(
        default=None, description="The new schedule of the participant."
    )
    cohort: str | None = strawberry.field(
        default=None,
        description='The call-off contract that funds the participant\'s training, e.g. "2025"; defaults to the current one.',
    )


@strawberry.type(description="The participant as it stands after the action, or why the action was refused.")
class ParticipantPayload:
    participant: Annotated[Participant, strawberry.lazy("gateway.graphql.types.participants")] | None = (
        strawberry.field(description="The participant; null when the action was refused.")
    )
    errors: list[UserError] = strawberry.field(
        description="Why the action was refused; empty when it was taken.", metadata=list_bound(10)
    )


def _payload(result) -> ParticipantPayload:
    row, errors = result
    return ParticipantPayload(participant=row, errors=errors)


@strawberry.type
class ParticipantMutation:
    @strawberry.mutation(
        description="Notify that a participant has withdrawn from their course (PUT /participants/{id}/withdraw)."
    )
    async def withdraw_participant(self, info: Info, input: WithdrawParticipantInput) -> ParticipantPayload:
        caller, participant_id = info.context.caller, parse_id(input.participant_id)
        return _payload(
            await run_action(
                info.context,
                lambda conn: actions.withdraw_participant(
                    conn, caller, participant_id, course_identifier=input.course_identifier, reason=input.reason
                ),
            )
        )

    @strawberry.mutation(
        description="Notify that a participant is taking a break from their course (PUT /participants/{id}/defer)."
    )
    async def defer_participant(self, info: Info, input: DeferParticipantInput) -> ParticipantPayload:
        caller, participant_id = info.context.caller, parse_id(input.participant_id)
        return _payload(
            await run_action(
                info.context,
                lambda conn: actions.defer_participant(
                    conn, caller, participant_id, course_identifier=input.course_identifier, reason=input.reason
                ),
            )
        )

    @strawberry.mutation(
        description="Notify that a participant is resuming their course (PUT /participants/{id}/resume)."
    )
    async def resume_participant(self, info: Info, input: ResumeParticipantInput) -> ParticipantPayload:
        caller, participant_id = info.context.caller, parse_id(input.participant_id)
        return _payload(
            await run_action(
                info.context,
                lambda conn: actions.resume_participant(
                    conn, caller, participant_id, course_identifier=input.course_identifier
                ),
            )
        )

    @strawberry.mutation(
        description="Notify that a participant is changing training schedule (PUT /participants/{id}/change-schedule)."
    )
    async def change_participant_schedule(
        self, info: Info, input: ChangeParticipantScheduleInput
    ) -> ParticipantPayload:
        caller, participant_id = info.context.caller, parse_id(input.participant_id)
        return _payload(
            await run_action(
                info.context,
                lambda conn: actions.change_schedule(
                    conn,
                    caller,
                    participant_id,
                    course_identifier=input.course_identifier,
                    schedule_identifier=input.schedule_identifier,
                    cohort=input.cohort,
                ),
            )
        )
