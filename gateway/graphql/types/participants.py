"""Participant, its Enrolments (one per role) and ParticipantIdChanges; the participants root fields.

An enrolment's ``mentor`` is a participant the caller can see (one it trains or
trained). A mentor trained by no partnership of the caller is not one of its
participants: ``mentor`` is then null and ``unfundedMentor`` holds what the
caller may read of them (name, email, TRN), as the unfunded mentors list does.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated

import strawberry

from gateway.domain.participants import queries
from gateway.domain.participants.queries import SORTABLE, ParticipantFilters
from gateway.graphql import arguments
from gateway.graphql.arguments import after_cursor, lead_provider_filter, page_size, parse_id
from gateway.graphql.connections import Connection, connection_of, order_enum
from gateway.graphql.context import Info
from gateway.graphql.relations import list_bound, relation
from gateway.graphql.types.cohorts import Cohort
from gateway.graphql.types.delivery_partners import DeliveryPartner
from gateway.graphql.types.enums import (
    DeferralReason,
    MentorIneligibleForFundingReason,
    ParticipantStatus,
    ParticipantType,
    ScheduleIdentifier,
    TrainingStatus,
    WithdrawalReason,
    WorkingPattern,
)
from gateway.graphql.types.schedules import Schedule
from gateway.graphql.types.transfers import Transfer
from gateway.graphql.types.unfunded_mentors import UnfundedMentor

if TYPE_CHECKING:
    from gateway.graphql.types.declarations import Declaration
    from gateway.graphql.types.partnerships import Partnership
    from gateway.graphql.types.schools import School

ParticipantOrder = order_enum("ParticipantOrder", SORTABLE, "Orders of the participant list.")


@strawberry.type(description="The details of a Participant ID change: DfE merged two identities of one teacher.")
class ParticipantIdChange:
    from_participant_id: strawberry.ID = strawberry.field(
        description="The unique identifier of the changed from participant training record."
    )
    to_participant_id: strawberry.ID = strawberry.field(
        description="The unique identifier of the changed to participant training record."
    )
    changed_at: datetime = strawberry.field(description="The date and time the Participant ID change.")


@strawberry.type(description="The details of an ECF Participant withdrawal.")
class Withdrawal:
    reason: WithdrawalReason = strawberry.field(description="The reason a participant was withdrawn.")
    date: datetime = strawberry.field(description="The date and time the participant was withdrawn.")


@strawberry.type(description="The details of an ECF Participant deferral.")
class Deferral:
    reason: DeferralReason = strawberry.field(description="The reason a participant was deferred.")
    date: datetime = strawberry.field(description="The date and time the participant was deferred.")


@strawberry.type(
    description="The details of an ECF Participant enrolment: the participant's latest training period in one role "
    "with you (analysts: with any lead provider)."
)
class Enrolment:
    training_record_id: strawberry.ID = strawberry.field(
        description="The unique identifier of the participant training record. Should the DfE dedupe a participant, this "
        "value will not change."
    )
    email: str | None = strawberry.field(description="The email address registered for this ECF participant.")
    mentor_id: strawberry.ID | None = strawberry.field(
        description="The unique identifier of this ECF participants mentor."
    )
    school_urn: str = strawberry.field(
        description="The Unique Reference Number (URN) of the school that submitted this ECF participant."
    )
    participant_type: ParticipantType = strawberry.field(
        description="The type of ECF participant this record refers to."
    )
    working_pattern: WorkingPattern | None = strawberry.field(
        description="Whether the ECT has been reported as working full-time or part-time by the school. "
        "Null for mentors, and where the school has not reported it."
    )
    cohort: str = strawberry.field(
        description="Indicates which call-off contract funds this participant's training. 2021 indicates a participant that "
        "has started, or will start, their training in the 2021/22 academic year."
    )
    training_status: TrainingStatus = strawberry.field(description="The training status of the ECF participant.")
    participant_status: ParticipantStatus = strawberry.field(
        description="Replaces the old status field. Indicates if a SIT has advised DfE of a transfer or a withdrawal of the "
        "participant from the school."
    )
    teacher_reference_number_validated: bool = strawberry.field(
        description="Indicates whether the Teacher Reference Number (TRN) has been validated."
    )
    eligible_for_funding: bool | None = strawberry.field(
        description="Indicates whether this participant is eligible to receive DfE funded induction."
    )
    pupil_premium_uplift: bool = strawberry.field(
        description="Indicates whether this participant qualifies for an uplift payment due to pupil premium."
    )
    sparsity_uplift: bool = strawberry.field(
        description="Indicates whether this participant qualifies for an uplift payment due to sparsity."
    )
    schedule_identifier: ScheduleIdentifier | None = strawberry.field(
        description="The schedule of the ECF participant."
    )
    delivery_partner_id: strawberry.ID = strawberry.field(
        description="Unique ID of the delivery partner associated with the participant."
    )
    withdrawal: Withdrawal | None = strawberry.field(description="The details of an ECF Participant withdrawal.")
    deferral: Deferral | None = strawberry.field(description="The details of an ECF Participant deferral.")
    created_at: datetime = strawberry.field(description="The date and time the ECF participant was created.")
    induction_end_date: date | None = strawberry.field(description="The ECF participant induction end date.")
    overall_induction_start_date: date | None = strawberry.field(
        description="The date the ECT started their induction, as reported by their appropriate body. "
        "Null for mentors, and where none is reported."
    )
    most_recent_induction_period_end_date: date | None = strawberry.field(
        description="The end date of the ECT's most recent induction period, as reported by their appropriate body. "
        "Null for mentors, while that period is still open, and where none is reported."
    )
    mentor_funding_end_date: date | None = strawberry.field(
        description="The ECF participant mentor training completion date."
    )
    cohort_changed_after_payments_frozen: bool = strawberry.field(
        description="Identify participants that migrated to a new cohort as payments were frozen on their original cohort."
    )
    mentor_ineligible_for_funding_reason: MentorIneligibleForFundingReason | None = strawberry.field(
        description="The reason why funding for a mentor's training has ended."
    )
    started_on: date = strawberry.field(description="The day the training period behind this enrolment started.")
    finished_on: date | None = strawberry.field(
        description="The day the training period behind this enrolment finished or will finish; null while open-ended."
    )
    # The school and the delivery partner are read with the enrolment (one statement for all three); their
    # cohort flags and cohorts are relations of their own, read when selected.
    school: Annotated[School, strawberry.lazy("gateway.graphql.types.schools")] | None = strawberry.field(
        description="The school that submitted this ECF participant, as seen in the enrolment's cohort."
    )
    partnership: Annotated[Partnership, strawberry.lazy("gateway.graphql.types.partnerships")] | None = relation(
        lambda loaders: loaders.partnership_by_id,
        key="partnership_id",
        description="The partnership the participant trains under.",
    )
    delivery_partner: DeliveryPartner | None = strawberry.field(
        description="The delivery partner associated with the participant."
    )
    mentor: Annotated[Participant, strawberry.lazy("gateway.graphql.types.participants")] | None = relation(
        lambda loaders: loaders.participant_by_id,
        key="mentor_id",
        description="This ECT's mentor, when the mentor is one of your participants (trained under one of your "
        "partnerships); otherwise null, and `unfundedMentor` has the mentor's details.",
    )
    unfunded_mentor: UnfundedMentor | None = relation(
        lambda loaders: loaders.unfunded_mentor_by_id,
        key="mentor_id",
        description="This ECT's mentor, when the mentor has no training period with you (an unfunded mentor); else null.",
    )
    schedule: Schedule | None = relation(
        lambda loaders: loaders.schedule_by_id, key="schedule_id", description="The schedule of the ECF participant."
    )
    cohort_details: Cohort = relation(
        lambda loaders: loaders.cohort_by_id,
        key="cohort_id",
        description="The call-off contract that funds this participant's training, with its rules.",
    )


@strawberry.type(description="An ECF participant: a teacher you train or trained, as an ECT, a mentor or both.")
class Participant:
    id: strawberry.ID = strawberry.field(description="The unique identifier of the participant record.")
    full_name: str = strawberry.field(description="The full name of this ECF participant.")
    teacher_reference_number: str | None = strawberry.field(
        description="The Teacher Reference Number (TRN) for this participant."
    )
    created_at: datetime = strawberry.field(description="The date and time the ECF participant was created.")
    updated_at: datetime = strawberry.field(
        description="The date and time the ECF participant was last updated (the participant, a training record or a "
        "training period, whichever changed last)."
    )
    enrolments: list[Enrolment] = strawberry.field(
        description="Information about the course(s) the participant is enroled in: at most one per role, ECT first.",
        metadata=list_bound(2),  # one per role
    )
    participant_id_changes: list[ParticipantIdChange] = relation(
        lambda loaders: loaders.participant_id_changes_by_participant,
        key="id",
        many=True,
        bound=2,
        description="Information about the Participant ID changes.",
    )
    transfers: list[Transfer] = relation(
        lambda loaders: loaders.transfers_by_participant,
        key="id",
        many=True,
        bound=5,
        description="The participant's transfers between schools that you are on one side of, in the order they happened.",
    )
    declarations: list[Annotated[Declaration, strawberry.lazy("gateway.graphql.types.declarations")]] = relation(
        lambda loaders: loaders.declarations_by_participant,
        key="id",
        many=True,
        bound=10,  # one per milestone, and a few voided ones
        description="The participant's declarations you may see.",
    )


@strawberry.type
class ParticipantQuery:
    @strawberry.field(
        description="Participants you train or trained (with at least one training period under one of your partnerships); "
        "analysts: every provider's."
    )
    async def participants(
        self,
        info: Info,
        first: page_size = 100,
        after: after_cursor = None,
        cohort: Annotated[
            list[str] | None,
            strawberry.argument(description="Only participants with an enrolment in these cohorts (years)."),
        ] = None,
        training_status: Annotated[
            list[TrainingStatus] | None,
            strawberry.argument(description="Only participants with an enrolment in these training statuses."),
        ] = None,
        from_participant_id: Annotated[
            list[strawberry.ID] | None,
            strawberry.argument(description="Only participants that DfE merged one of these participant ids into."),
        ] = None,
        updated_since: Annotated[
            str | None,
            strawberry.argument(description="Only participants updated at or after this ISO 8601 date or date-time."),
        ] = None,
        lead_provider_id: lead_provider_filter = None,
        order_by: ParticipantOrder = ParticipantOrder.CREATED_AT_ASC,  # type: ignore[valid-type,attr-defined]
    ) -> Connection[Participant]:
        ctx = info.context
        filters = ParticipantFilters(
            cohort_years=arguments.cohort_years(cohort),
            training_statuses=None if training_status is None else [status.value for status in training_status],
            from_participant_ids=arguments.ids(from_participant_id),
            updated_since=arguments.updated_since(updated_since),
            lead_provider_id=parse_id(lead_provider_id),
        )
        return await connection_of(
            ctx, partial(queries.list_participants, with_id_changes=False), queries.count_participants, filters,
            order_by=order_by, first=first, after=after, sortable=SORTABLE,
        )  # fmt: skip

    @strawberry.field(description="One participant; null with a NOT_FOUND error if you neither train nor trained them.")
    async def participant(self, info: Info, id: strawberry.ID) -> Participant | None:
        ctx = info.context
        return await queries.get_participant(ctx.conn, ctx.caller, parse_id(id), with_id_changes=False)  # type: ignore[return-value]
