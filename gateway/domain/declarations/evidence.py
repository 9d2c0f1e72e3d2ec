"""Which ``evidence_held`` values a declaration accepts (domain.md section 6).

Cohorts without ``detailed_evidence_types`` (before 2025) ignore evidence on
``started`` and take one of three simple values otherwise. Cohorts with it
require evidence on every type, and retained-2 (ECTs) and completed need proof
of engagement.
"""

from __future__ import annotations

from typing import Any

from gateway.domain.declarations.submission import is_blank
from gateway.vocabulary import DeclarationType, EvidenceHeld, ParticipantType

ENTER_EVIDENCE = "Enter a '#/evidence_held' value for this participant."
UNAVAILABLE_EVIDENCE = "Enter an available '#/evidence_held' type for this participant."

SIMPLE = (EvidenceHeld.TRAINING_EVENT_ATTENDED, EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED, EvidenceHeld.OTHER)
DETAILED = (
    EvidenceHeld.TRAINING_EVENT_ATTENDED,
    EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED,
    EvidenceHeld.MATERIALS_ENGAGED_WITH_OFFLINE,
    EvidenceHeld.OTHER,
)
ENGAGEMENT = (
    EvidenceHeld.SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET,
    EvidenceHeld.SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET_REDUCED_INDUCTION,
)


def accepted_evidence(
    *, detailed: bool, role: ParticipantType, declaration_type: DeclarationType
) -> tuple[EvidenceHeld, ...] | None:
    """The values accepted for this declaration; ``None`` when evidence is ignored."""
    if not detailed:
        return None if declaration_type is DeclarationType.STARTED else SIMPLE
    if declaration_type is DeclarationType.RETAINED_2 and role is ParticipantType.ECT:
        return ENGAGEMENT
    if declaration_type is DeclarationType.COMPLETED:
        return (*ENGAGEMENT, EvidenceHeld.ONE_TERM_INDUCTION) if role is ParticipantType.ECT else ENGAGEMENT
    return DETAILED


def evidence_error(value: Any, accepted: tuple[EvidenceHeld, ...] | None) -> str | None:
    if accepted is None:
        return None
    if is_blank(value):
        return ENTER_EVIDENCE
    if not isinstance(value, str) or value not in accepted:
        return UNAVAILABLE_EVIDENCE
    return None


def stored_evidence(value: Any, accepted: tuple[EvidenceHeld, ...] | None) -> str | None:
    """What is kept (and fingerprinted) of the evidence sent: nothing when it is ignored."""
    if accepted is None or not isinstance(value, str) or is_blank(value):
        return None
    return value
