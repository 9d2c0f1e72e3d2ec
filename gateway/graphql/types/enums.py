"""GraphQL enumerations, each built once from the published vocabulary (gateway/vocabulary.py).

``strawberry.enum`` marks the vocabulary class itself, so a domain row holding a
vocabulary value (or its plain string) serialises as the enum member's name.
"""

from __future__ import annotations

import strawberry

from gateway import vocabulary

# Each name is the vocabulary class itself (an alias mypy can use as a type), marked once as a GraphQL enum.
TrainingStatus = vocabulary.TrainingStatus
strawberry.enum(vocabulary.TrainingStatus, description="The training status of a participant's enrolment.")
ParticipantStatus = vocabulary.ParticipantStatus
strawberry.enum(
    vocabulary.ParticipantStatus,
    description="Whether a participant is joining, training at, leaving or has left the school.",
)
ParticipantType = vocabulary.ParticipantType
strawberry.enum(vocabulary.ParticipantType, description="The role a training record refers to: ECT or mentor.")
WorkingPattern = vocabulary.WorkingPattern
strawberry.enum(
    vocabulary.WorkingPattern, description="An ECT's working pattern at their school, as the school reports it."
)
ScheduleIdentifier = vocabulary.ScheduleIdentifier
strawberry.enum(vocabulary.ScheduleIdentifier, description="The schedule a participant is training on.")
WithdrawalReason = vocabulary.WithdrawalReason
strawberry.enum(vocabulary.WithdrawalReason, description="The reason a participant was withdrawn.")
DeferralReason = vocabulary.DeferralReason
strawberry.enum(vocabulary.DeferralReason, description="The reason a participant was deferred.")
TransferType = vocabulary.TransferType
strawberry.enum(vocabulary.TransferType, description="The type of transfer between schools.")
TransferStatus = vocabulary.TransferStatus
strawberry.enum(
    vocabulary.TransferStatus,
    description="Whether both sides of a transfer have happened (complete) or one is still to come.",
)
MentorIneligibleForFundingReason = vocabulary.MentorIneligibleForFundingReason
strawberry.enum(
    vocabulary.MentorIneligibleForFundingReason, description="The reason why funding for a mentor's training has ended."
)
CourseIdentifier = vocabulary.CourseIdentifier
strawberry.enum(vocabulary.CourseIdentifier, description="The type of course the participant is enrolled in.")
DeclarationType = vocabulary.DeclarationType
strawberry.enum(vocabulary.DeclarationType, description="The event declaration type.")
DeclarationState = vocabulary.DeclarationState
strawberry.enum(vocabulary.DeclarationState, description="Indicates the state of this payment declaration.")
EvidenceHeld = vocabulary.EvidenceHeld
strawberry.enum(
    vocabulary.EvidenceHeld,
    description="The type of evidence the lead provider holds on their platform to demonstrate the participant has met the "
    "retention criteria for the current milestone period.",
)
IneligibleForFundingReason = vocabulary.IneligibleForFundingReason
strawberry.enum(vocabulary.IneligibleForFundingReason, description="If the declaration is ineligible, the reason why.")
StatementStatus = vocabulary.StatementStatus
strawberry.enum(
    vocabulary.StatementStatus,
    description="Where a statement is in its payment cycle: open, payable (past its cut-off) or paid.",
)
Role = vocabulary.Role
strawberry.enum(
    vocabulary.Role, description="What a token may do: a lead provider's, a DfE analyst's (read all) or DfE finance's."
)
InductionProgrammeChoice = vocabulary.InductionProgrammeChoice
strawberry.enum(vocabulary.InductionProgrammeChoice, description="The induction programme the school offers.")
