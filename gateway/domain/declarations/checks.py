"""The checks of a new declaration, pure and in the published order (domain.md section 6).

Each attribute reports its first failing check only; a check that needs what
an earlier one could not establish (the participant, the training period, the
milestone) is skipped, since that failure is already reported.
"""

from __future__ import annotations

from datetime import datetime

from gateway.domain.declarations.evidence import accepted_evidence, evidence_error
from gateway.domain.declarations.facts import SubmissionFacts
from gateway.domain.declarations.milestones import OUT_OF_SEQUENCE, SEQUENCE_CHECKED_FROM, out_of_sequence, window_error
from gateway.domain.declarations.payment import CONTRACT_ENDED
from gateway.domain.declarations.submission import DeclarationSubmission, ParsedSubmission, is_blank, rfc3339
from gateway.domain.errors import FieldError
from gateway.domain.participants.enrolments import training_status
from gateway.vocabulary import DeclarationType, ParticipantType, TrainingStatus

PARTICIPANT_ID = "participant_id"
COURSE_IDENTIFIER = "course_identifier"
DECLARATION_DATE = "declaration_date"
DECLARATION_TYPE = "declaration_type"
COHORT = "cohort"
EVIDENCE_HELD = "evidence_held"

ENTER_PARTICIPANT_ID = "Enter a '#/participant_id'."
PARTICIPANT_NOT_RECOGNISED = (
    "Your update cannot be made as the '#/participant_id' is not recognised. Check participant details and try again."
)
ENTER_COURSE_IDENTIFIER = "Enter a '#/course_identifier'."
COURSE_NOT_RECOGNISED = (
    "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again."
)
ENTER_DECLARATION_DATE = "Enter a '#/declaration_date'."
INVALID_DECLARATION_DATE = "Enter a valid RCF3339 '#/declaration_date'."  # sic: the published text
FUTURE_DECLARATION_DATE = "The '#/declaration_date' value cannot be a future date. Check the date and try again."
ENTER_DECLARATION_TYPE = "Enter a '#/declaration_type'."
INVALID_DECLARATION_TYPE = "Enter a valid declaration type."
NO_MILESTONE = "The property '#/declaration_type' does not exist for this schedule."
MENTOR_STARTED_OR_COMPLETED_ONLY = (
    "You cannot send retained or extended declarations for participants who began their mentor training after June 2025. "
    "Resubmit this declaration with either a started or completed declaration."
)
SLOT_TAKEN = "A declaration has already been submitted that will be, or has been, paid for this event."
WITHDRAWN = (
    "This participant withdrew from this course on {withdrawn_at}. "
    "Enter a '#/declaration_date' that's on or before the withdrawal date."
)
PAYMENTS_FROZEN = (
    "You cannot submit declarations for the {year} cohort. The funding contract for this cohort has ended. "
    "Get in touch if you need to discuss this with us."
)

MENTOR_FUNDED_TYPES = (DeclarationType.STARTED, DeclarationType.COMPLETED)


class _Errors:
    """Field errors in the order found, at most one per attribute."""

    def __init__(self) -> None:
        self.found: list[FieldError] = []

    def add(self, attribute: str, message: str | None) -> None:
        if message is not None and self.ok(attribute):
            self.found.append(FieldError(attribute, message))

    def ok(self, attribute: str) -> bool:
        return all(e.attribute != attribute for e in self.found)


def declaration_errors(
    submission: DeclarationSubmission, parsed: ParsedSubmission, facts: SubmissionFacts, *, now: datetime
) -> list[FieldError]:
    errors = _Errors()

    if is_blank(submission.participant_id):
        errors.add(PARTICIPANT_ID, ENTER_PARTICIPANT_ID)
    elif not facts.participant_known:
        errors.add(PARTICIPANT_ID, PARTICIPANT_NOT_RECOGNISED)

    if parsed.course_identifier is None:
        errors.add(COURSE_IDENTIFIER, ENTER_COURSE_IDENTIFIER)
    elif errors.ok(PARTICIPANT_ID) and facts.training is None:
        errors.add(COURSE_IDENTIFIER, COURSE_NOT_RECOGNISED)

    training = facts.training if errors.ok(PARTICIPANT_ID) and errors.ok(COURSE_IDENTIFIER) else None
    declared_at = parsed.declaration_date
    declaration_type = parsed.declaration_type

    if is_blank(submission.declaration_date):
        errors.add(DECLARATION_DATE, ENTER_DECLARATION_DATE)
    elif declared_at is None:
        errors.add(DECLARATION_DATE, INVALID_DECLARATION_DATE)
    elif declared_at > now:
        errors.add(DECLARATION_DATE, FUTURE_DECLARATION_DATE)
    if training is not None and declared_at is not None and declaration_type is not None:
        if facts.milestone is not None:
            errors.add(DECLARATION_DATE, window_error(facts.milestone, declared_at))
        if training.cohort_year >= SEQUENCE_CHECKED_FROM and out_of_sequence(
            declaration_type, declared_at, facts.billable
        ):
            errors.add(DECLARATION_DATE, OUT_OF_SEQUENCE)

    if is_blank(submission.declaration_type):
        errors.add(DECLARATION_TYPE, ENTER_DECLARATION_TYPE)
    elif declaration_type is None:
        errors.add(DECLARATION_TYPE, INVALID_DECLARATION_TYPE)
    elif training is not None:
        if facts.milestone is None:
            errors.add(DECLARATION_TYPE, NO_MILESTONE)
        elif (
            training.participant_type is ParticipantType.MENTOR
            and training.mentor_funding
            and declaration_type not in MENTOR_FUNDED_TYPES
        ):
            errors.add(DECLARATION_TYPE, MENTOR_STARTED_OR_COMPLETED_ONLY)
        if facts.slot_taken(declaration_type):
            errors.add(DECLARATION_TYPE, SLOT_TAKEN)

    if training is None:
        return errors.found

    if (
        declared_at is not None
        and training.withdrawn_at is not None  # implied by the status below; said for the type checker
        and training_status(training.withdrawn_at, training.deferred_at) is TrainingStatus.WITHDRAWN
        and training.withdrawn_at <= declared_at
    ):
        errors.add(PARTICIPANT_ID, WITHDRAWN.format(withdrawn_at=rfc3339(training.withdrawn_at)))

    if training.payments_frozen_at is not None and training.payments_frozen_at <= now:
        errors.add(COHORT, PAYMENTS_FROZEN.format(year=training.cohort_year))
    elif training.eligible_for_funding and facts.statement_id is None:
        errors.add(COHORT, CONTRACT_ENDED.format(year=training.cohort_year))

    if declaration_type is not None:
        accepted = accepted_evidence(
            detailed=training.detailed_evidence_types, role=training.participant_type, declaration_type=declaration_type
        )
        errors.add(EVIDENCE_HELD, evidence_error(submission.evidence_held, accepted))

    return errors.found
