"""The published vocabulary of the Lead provider API 3.0.0 (values as the API spells them)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    LEAD_PROVIDER = "lead_provider"
    ANALYST = "analyst"
    ADMIN = "admin"


class ParticipantType(StrEnum):
    ECT = "ect"
    MENTOR = "mentor"


class WorkingPattern(StrEnum):
    """An ECT's working pattern at a school, as the school reports it."""

    FULL_TIME = "full_time"
    PART_TIME = "part_time"


class CourseIdentifier(StrEnum):
    ECF_INDUCTION = "ecf-induction"
    ECF_MENTOR = "ecf-mentor"


COURSE_FOR_ROLE = {
    ParticipantType.ECT: CourseIdentifier.ECF_INDUCTION,
    ParticipantType.MENTOR: CourseIdentifier.ECF_MENTOR,
}
ROLE_FOR_COURSE = {course: role for role, course in COURSE_FOR_ROLE.items()}


class TrainingStatus(StrEnum):
    ACTIVE = "active"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class ParticipantStatus(StrEnum):
    ACTIVE = "active"
    JOINING = "joining"
    LEAVING = "leaving"
    LEFT = "left"
    WITHDRAWN = "withdrawn"


class TrainingProgramme(StrEnum):
    PROVIDER_LED = "provider_led"
    SCHOOL_LED = "school_led"


class InductionProgrammeChoice(StrEnum):
    SCHOOL_LED = "school_led"
    PROVIDER_LED = "provider_led"
    NO_EARLY_CAREER_TEACHERS = "no_early_career_teachers"
    NOT_YET_KNOWN = "not_yet_known"


class WithdrawalReason(StrEnum):
    LEFT_TEACHING_PROFESSION = "left-teaching-profession"
    MOVED_SCHOOL = "moved-school"
    MENTOR_NO_LONGER_BEING_MENTOR = "mentor-no-longer-being-mentor"
    SWITCHED_TO_SCHOOL_LED = "switched-to-school-led"
    OTHER = "other"


class DeferralReason(StrEnum):
    BEREAVEMENT = "bereavement"
    LONG_TERM_SICKNESS = "long-term-sickness"
    PARENTAL_LEAVE = "parental-leave"
    CAREER_BREAK = "career-break"
    OTHER = "other"


class ScheduleIdentifier(StrEnum):
    STANDARD_SEPTEMBER = "ecf-standard-september"
    STANDARD_JANUARY = "ecf-standard-january"
    STANDARD_APRIL = "ecf-standard-april"
    REDUCED_SEPTEMBER = "ecf-reduced-september"
    REDUCED_JANUARY = "ecf-reduced-january"
    REDUCED_APRIL = "ecf-reduced-april"
    EXTENDED_SEPTEMBER = "ecf-extended-september"
    EXTENDED_JANUARY = "ecf-extended-january"
    EXTENDED_APRIL = "ecf-extended-april"
    REPLACEMENT_SEPTEMBER = "ecf-replacement-september"
    REPLACEMENT_JANUARY = "ecf-replacement-january"
    REPLACEMENT_APRIL = "ecf-replacement-april"


class DeclarationType(StrEnum):
    STARTED = "started"
    RETAINED_1 = "retained-1"
    RETAINED_2 = "retained-2"
    RETAINED_3 = "retained-3"
    RETAINED_4 = "retained-4"
    COMPLETED = "completed"
    EXTENDED_1 = "extended-1"
    EXTENDED_2 = "extended-2"
    EXTENDED_3 = "extended-3"


class DeclarationState(StrEnum):
    SUBMITTED = "submitted"
    ELIGIBLE = "eligible"
    PAYABLE = "payable"
    PAID = "paid"
    VOIDED = "voided"
    INELIGIBLE = "ineligible"
    AWAITING_CLAWBACK = "awaiting-clawback"
    CLAWED_BACK = "clawed-back"


# A billable declaration holds its participant's slot for that type and course.
BILLABLE_STATES = (
    DeclarationState.SUBMITTED,
    DeclarationState.ELIGIBLE,
    DeclarationState.PAYABLE,
    DeclarationState.PAID,
)


class IneligibleForFundingReason(StrEnum):
    DUPLICATE_DECLARATION = "duplicate_declaration"


class EvidenceHeld(StrEnum):
    TRAINING_EVENT_ATTENDED = "training-event-attended"
    SELF_STUDY_MATERIAL_COMPLETED = "self-study-material-completed"
    OTHER = "other"
    MATERIALS_ENGAGED_WITH_OFFLINE = "materials-engaged-with-offline"
    SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET = "75-percent-engagement-met"
    SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET_REDUCED_INDUCTION = "75-percent-engagement-met-reduced-induction"
    ONE_TERM_INDUCTION = "one-term-induction"


class MentorIneligibleForFundingReason(StrEnum):
    COMPLETED_DECLARATION_RECEIVED = "completed_declaration_received"
    COMPLETED_DURING_EARLY_ROLL_OUT = "completed_during_early_roll_out"
    STARTED_NOT_COMPLETED = "started_not_completed"


class StatementStatus(StrEnum):
    OPEN = "open"
    PAYABLE = "payable"
    PAID = "paid"


class TransferType(StrEnum):
    NEW_SCHOOL = "new_school"
    NEW_PROVIDER = "new_provider"
    UNKNOWN = "unknown"


class TransferStatus(StrEnum):
    INCOMPLETE = "incomplete"
    COMPLETE = "complete"
