"""The refusals of the partnership and participant actions (domain.md sections 4 and 5), one case per published
message, over the sandbox cases. The REST and GraphQL tests run the same table, so both faces are held to the
same texts. Every case is for Ambition Institute (the provider of the sandbox cases) and fails exactly one check.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from gateway.sandbox.cases import Case, case_id
from gateway.sandbox.reference import delivery_partner_id

# Ambition's delivery partners: in every cohort, in 2025-2026 only; and one that works for Best Practice Network only.
AMBITION_PARTNER = delivery_partner_id("Midlands Inspire Teaching Hub")
AMBITION_RECENT_PARTNER = delivery_partner_id("Thames Valley Teaching School Hub")
OTHER_PROVIDERS_PARTNER = delivery_partner_id("Pennine Learning Partnership")
UNKNOWN_ID = str(uuid.UUID(int=12345))
BEFORE_COHORT_2026_OPENS = "2026-05-01T09:00:00Z"


@dataclass(frozen=True)
class Refusal:
    name: str
    attributes: dict[str, str]
    errors: list[tuple[str, str]]
    server_date: str | None = None
    """Sandbox time travel (``X-With-Server-Date``) for the request."""
    graphql: bool = True
    """False when GraphQL's input enums refuse the value before the action runs."""

    def __str__(self) -> str:
        return self.name


def _partnership(
    cohort: str | None = "2025", school: Case | str | None = Case.UNPARTNERED_ELIGIBLE_SCHOOL, partner=AMBITION_PARTNER
) -> dict:
    attributes = {
        "cohort": cohort,
        "school_id": str(case_id(school)) if isinstance(school, Case) else school,
        "delivery_partner_id": partner,
    }
    return {name: str(value) for name, value in attributes.items() if value is not None}


DELIVERY_PARTNER_UNKNOWN = [
    (
        "delivery_partner_id",
        "The '#/delivery_partner_id' you have entered is invalid. Check delivery partner details and try again.",
    )
]
NO_RELATIONSHIP = [
    (
        "delivery_partner_id",
        "The entered delivery partner is not recognised to be working in partnership with you for the given cohort. "
        "Contact the DfE for more information.",
    )
]

CREATE_PARTNERSHIP_REFUSALS = [
    Refusal("cohort missing", _partnership(cohort=None), [("cohort", "Enter a '#/cohort'.")]),
    Refusal(
        "cohort unknown",
        _partnership(cohort="1999"),
        [("cohort", "The '#/cohort' you have entered is invalid. Check cohort details and try again.")],
    ),
    Refusal(
        "cohort of superscript digits",  # isdigit() let these through to int(), a 500
        _partnership(cohort="²⁰²⁵"),
        [("cohort", "The '#/cohort' you have entered is invalid. Check cohort details and try again.")],
    ),
    Refusal(
        "cohort starts after today",
        _partnership(cohort="2026"),
        [("cohort", "You cannot create a partnership for a future cohort.")],
        server_date=BEFORE_COHORT_2026_OPENS,
    ),
    Refusal(
        "cohort registration closed",
        _partnership(cohort="2023"),
        [("cohort", "You cannot create this partnership as the cohort is closed.")],
    ),
    Refusal("school_id missing", _partnership(school=None), [("school_id", "Enter a '#/school_id'.")]),
    Refusal(
        "school_id unknown",
        _partnership(school=UNKNOWN_ID),
        [
            (
                "school_id",
                "The '#/school_id' you have entered is invalid. Check school details and try again. "
                "Contact the DfE for support if you are unable to find the '#/school_id'.",
            )
        ],
    ),
    Refusal(
        "school not eligible",
        _partnership(school=Case.INELIGIBLE_SCHOOL),
        [
            (
                "school_id",
                "The school you have entered is currently ineligible for DfE funding. Contact the school for more information.",
            )
        ],
    ),
    Refusal(
        "school already partnered by the provider",
        _partnership(school=Case.AMBITION_HOME_SCHOOL),
        [("school_id", "You are already in a confirmed partnership with this school for the entered cohort.")],
    ),
    Refusal(
        "school with only school-led participants",
        _partnership(school=Case.SCHOOL_LED_ONLY_SCHOOL),
        [
            (
                "school_id",
                "This school has only registered school-led participants. Contact the school for more information.",
            )
        ],
    ),
    Refusal(
        "delivery_partner_id missing",
        _partnership(partner=None),
        [("delivery_partner_id", "Enter a '#/delivery_partner_id'.")],
    ),
    Refusal("delivery_partner_id unknown", _partnership(partner=UNKNOWN_ID), DELIVERY_PARTNER_UNKNOWN),
    Refusal(
        "delivery partner not working with the provider in the cohort",
        _partnership(partner=OTHER_PROVIDERS_PARTNER),
        NO_RELATIONSHIP,
    ),
]

# Updates of Ambition's 2025 partnership with AMBITION_HOME_SCHOOL (delivery partner: AMBITION_PARTNER).
UPDATE_PARTNERSHIP_REFUSALS = [
    Refusal("delivery_partner_id missing", {}, [("delivery_partner_id", "Enter a '#/delivery_partner_id'.")]),
    Refusal("delivery_partner_id unknown", {"delivery_partner_id": UNKNOWN_ID}, DELIVERY_PARTNER_UNKNOWN),
    Refusal(
        "delivery partner not working with the provider in the cohort",
        {"delivery_partner_id": str(OTHER_PROVIDERS_PARTNER)},
        NO_RELATIONSHIP,
    ),
    Refusal(
        "already with that delivery partner",
        {"delivery_partner_id": str(AMBITION_PARTNER)},
        [
            (
                "delivery_partner_id",
                "We are unable to process this request. You are already confirmed to be in partnership with the entered "
                "delivery partner. Contact the DfE for support.",
            )
        ],
    ),
]


@dataclass(frozen=True)
class ParticipantRefusal(Refusal):
    action: str = ""
    """The REST action path segment: withdraw, defer, resume or change-schedule."""
    participant: Case = Case.ACTIVE_ECT


def _refusal(
    action: str, participant: Case, name: str, attributes: dict, errors: list, *, graphql: bool = True
) -> ParticipantRefusal:
    return ParticipantRefusal(
        f"{action}: {name}", attributes, errors, graphql=graphql, action=action, participant=participant
    )


COURSE_MISSING = [("course_identifier", "Enter a '#/course_identifier'.")]
COURSE_NOT_RECOGNISED = [
    (
        "course_identifier",
        "The entered '#/course_identifier' is not recognised for the given participant. Check details and try again.",
    )
]
REASON_NOT_RECOGNISED = [
    ("reason", "The entered '#/reason' is not recognised for the given participant. Check details and try again.")
]
ALREADY_WITHDRAWN = [("participant_id", "The '#/participant_id' is already withdrawn.")]
SCHEDULE_INVALID = [
    ("schedule_identifier", "The property '#/schedule_identifier' must be present and correspond to a valid schedule.")
]
ECT = "ecf-induction"
MENTOR = "ecf-mentor"

PARTICIPANT_REFUSALS = [
    _refusal("withdraw", Case.ACTIVE_ECT, "course_identifier missing", {"reason": "other"}, COURSE_MISSING),
    _refusal(
        "withdraw",
        Case.ACTIVE_ECT,
        "course_identifier not an ECF course",
        {"course_identifier": "npq-leading-teaching", "reason": "other"},
        COURSE_MISSING,
        graphql=False,
    ),
    _refusal(
        "withdraw",
        Case.ACTIVE_ECT,
        "no training in that role",
        {"course_identifier": MENTOR, "reason": "other"},
        COURSE_NOT_RECOGNISED,
    ),
    _refusal(
        "withdraw", Case.ACTIVE_ECT, "reason missing", {"course_identifier": ECT}, [("reason", "Enter a '#/reason'.")]
    ),
    _refusal(
        "withdraw",
        Case.ACTIVE_ECT,
        "reason unknown",
        {"course_identifier": ECT, "reason": "bereavement"},
        REASON_NOT_RECOGNISED,
        graphql=False,
    ),
    _refusal(
        "withdraw",
        Case.WITHDRAWN_OTHER,
        "already withdrawn",
        {"course_identifier": ECT, "reason": "other"},
        ALREADY_WITHDRAWN,
    ),
    _refusal(
        "withdraw",
        Case.ACTIVE_ECT,
        "an ECT for the mentor-only reason",
        {"course_identifier": ECT, "reason": "mentor-no-longer-being-mentor"},
        [("reason", "You cannot withdraw an ECT for this reason. The ECT is not a mentor.")],
    ),
    _refusal("defer", Case.ACTIVE_ECT, "course_identifier missing", {"reason": "other"}, COURSE_MISSING),
    _refusal(
        "defer", Case.ACTIVE_ECT, "reason missing", {"course_identifier": ECT}, [("reason", "Enter a '#/reason'.")]
    ),
    _refusal(
        "defer",
        Case.ACTIVE_ECT,
        "reason unknown",
        {"course_identifier": ECT, "reason": "moved-school"},
        REASON_NOT_RECOGNISED,
        graphql=False,
    ),
    _refusal(
        "defer",
        Case.DEFERRED_OTHER,
        "already deferred",
        {"course_identifier": ECT, "reason": "other"},
        [("participant_id", "The '#/participant_id' is already deferred.")],
    ),
    _refusal(
        "defer",
        Case.WITHDRAWN_OTHER,
        "already withdrawn",
        {"course_identifier": ECT, "reason": "other"},
        ALREADY_WITHDRAWN,
    ),
    _refusal("resume", Case.ACTIVE_ECT, "course_identifier missing", {}, COURSE_MISSING),
    _refusal(
        "resume", Case.WITHDRAWN_OTHER, "no training in that role", {"course_identifier": MENTOR}, COURSE_NOT_RECOGNISED
    ),
    _refusal(
        "resume",
        Case.ACTIVE_ECT,
        "already active",
        {"course_identifier": ECT},
        [("participant_id", "The '#/participant_id' is already active.")],
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "course_identifier missing",
        {"schedule_identifier": "ecf-extended-september"},
        COURSE_MISSING,
    ),
    _refusal(
        "change-schedule", Case.ACTIVE_ECT, "schedule_identifier missing", {"course_identifier": ECT}, SCHEDULE_INVALID
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "schedule_identifier not a schedule",
        {"course_identifier": ECT, "schedule_identifier": "ecf-standard-july"},
        SCHEDULE_INVALID,
        graphql=False,
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "schedule_identifier holding a NUL",  # PostgreSQL refuses a NUL in a text parameter: it was a 500 there
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september\x00"},
        SCHEDULE_INVALID,
        graphql=False,
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "no such schedule in the cohort named",
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september", "cohort": "1999"},
        SCHEDULE_INVALID,
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "a cohort of superscript digits",
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september", "cohort": "²⁰²⁵"},
        SCHEDULE_INVALID,
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "the schedule it is on",
        {"course_identifier": ECT, "schedule_identifier": "ecf-standard-september"},
        [("schedule_identifier", "Selected schedule is already on the profile")],
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "an ECT to a replacement schedule",
        {"course_identifier": ECT, "schedule_identifier": "ecf-replacement-september"},
        [("schedule_identifier", "Selected schedule is not valid for the course_identifier")],
    ),
    _refusal(
        "change-schedule",
        Case.FUNDED_MENTOR,
        "a mentor to a reduced schedule",
        {"course_identifier": MENTOR, "schedule_identifier": "ecf-reduced-september"},
        [
            (
                "schedule_identifier",
                "Mentors cannot be placed on a reduced schedule. Assign them to a different schedule.",
            )
        ],
    ),
    _refusal(
        "change-schedule",
        Case.WITHDRAWN_OTHER,
        "a withdrawn participant",
        # Extended schedules have open windows from the cohort's september: no declaration is at stake.
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september"},
        [("participant_id", "Cannot perform actions on a withdrawn participant")],
    ),
    _refusal(
        "change-schedule",
        Case.ACTIVE_ECT,
        "declarations dated before the new schedule's windows",
        # Its started (2025-09-20) and retained-1 (2026-01-15) come before April 2026, where standard-april starts.
        {"course_identifier": ECT, "schedule_identifier": "ecf-standard-april"},
        [("schedule_identifier", "Changing schedule would invalidate existing declarations. Please void them first.")],
    ),
    _refusal(
        "change-schedule",
        Case.TRN_TWIN_SECOND,
        "to a cohort where the provider does not partner the school",
        # Ambition partners AMBITION_SECOND_SCHOOL from 2023 only; the twin's one declaration is ineligible (not at stake).
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september", "cohort": "2022"},
        [
            (
                "cohort",
                "You cannot change a participant to this cohort as you do not have a partnership with the school for the cohort. "
                "Contact the DfE for assistance.",
            )
        ],
    ),
    _refusal(
        "change-schedule",
        Case.ECT_WITH_ID_CHANGE,
        "into a payments-frozen cohort it never belonged to",
        {"course_identifier": ECT, "schedule_identifier": "ecf-extended-september", "cohort": "2022"},
        [
            (
                "cohort",
                "You cannot move a participant to a payments frozen cohort unless they previously belonged to that cohort.",
            )
        ],
    ),
]
