"""Where a sandbox declaration stands today: its state, its statements, its evidence.

The seed decides each declaration's fate once, from fixed dates and its random
stream; `settle` then reads today's statements to turn that fate into a state
the rules allow (domain.md sections 6 and 7). A fate that today's statements
cannot honour falls back to the nearest one they can, so the row count never
depends on the day.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from gateway.sandbox.statements import PlacedStatement, StatementBook
from gateway.vocabulary import (
    DeclarationState,
    DeclarationType,
    EvidenceHeld,
    IneligibleForFundingReason,
    ParticipantType,
    StatementStatus,
)


class Fate(StrEnum):
    # Made while the participant was eligible: its statement's status today says paid, payable or eligible.
    NATURAL = "natural"
    # Made while the participant was not (yet) eligible for funding.
    SUBMITTED = "submitted"
    # The participant became eligible later: on today's open statement.
    ELIGIBLE = "eligible"
    # On the payable output-fee statement, if it closed after the declaration was made.
    PAYABLE = "payable"
    # Voided before it was paid.
    VOIDED = "voided"
    # Paid, then voided soon after: clawed back, or awaiting clawback, by the status of the statement the clawback went to.
    CLAWED_BACK = "clawed-back"
    # Paid, then voided since the latest cut-off: the clawback waits on today's open statement.
    AWAITING_CLAWBACK = "awaiting-clawback"
    # Another participant with the same TRN already holds this slot.
    DUPLICATE = "ineligible"


@dataclass(slots=True)
class Settlement:
    state: DeclarationState
    statement_id: uuid.UUID | None = None
    clawback_statement_id: uuid.UUID | None = None
    voided_at: datetime | None = None
    changed_at: datetime | None = None
    ineligible_for_funding_reason: str | None = None

    def updated_at(self, created_at: datetime) -> datetime:
        return max(created_at, self.changed_at) if self.changed_at else created_at


def _on(statement: PlacedStatement, created_at: datetime) -> Settlement:
    if statement.status is StatementStatus.PAID:
        return Settlement(DeclarationState.PAID, statement.id, changed_at=statement.paid_at)
    if statement.status is StatementStatus.PAYABLE:
        return Settlement(DeclarationState.PAYABLE, statement.id, changed_at=statement.closed_at)
    return Settlement(DeclarationState.ELIGIBLE, statement.id)


def _voided(created_at: datetime, delay: timedelta, now: datetime) -> Settlement:
    voided_at = min(created_at + delay, now)
    return Settlement(DeclarationState.VOIDED, voided_at=voided_at, changed_at=voided_at)


def _eligible_now(book: StatementBook) -> Settlement:
    statement = book.open_now()
    if statement is None:
        return Settlement(DeclarationState.SUBMITTED)
    return Settlement(DeclarationState.ELIGIBLE, statement.id)


def settle(
    fate: Fate, book: StatementBook, created_at: datetime, *, void_delay: timedelta, now: datetime
) -> Settlement:
    made_on = created_at.date()
    if fate is Fate.SUBMITTED:
        return Settlement(DeclarationState.SUBMITTED)
    if fate is Fate.DUPLICATE:
        return Settlement(
            DeclarationState.INELIGIBLE,
            ineligible_for_funding_reason=IneligibleForFundingReason.DUPLICATE_DECLARATION.value,
        )
    if fate is Fate.VOIDED:
        return _voided(created_at, void_delay, now)
    if fate is Fate.ELIGIBLE:
        return _eligible_now(book)
    if fate is Fate.PAYABLE:
        statement = book.first_with_status(StatementStatus.PAYABLE, on_or_after=made_on)
        return _on(statement, created_at) if statement else _eligible_now(book)
    statement = book.covering(made_on)
    if statement is None:
        return Settlement(DeclarationState.SUBMITTED)
    if fate is Fate.NATURAL:
        return _on(statement, created_at)
    if statement.status is not StatementStatus.PAID:
        return _voided(created_at, void_delay, now)
    paid_at = statement.paid_at
    assert paid_at is not None  # a paid statement records when
    if fate is Fate.CLAWED_BACK:
        voided_at = min(paid_at + void_delay, now)
        clawback = book.covering(voided_at.date())
    else:
        clawback = book.open_now()
        voided_at = paid_at + void_delay
        opened_at = book.opened_at(clawback) if clawback else None
        if opened_at is not None and opened_at > voided_at:
            voided_at = opened_at + void_delay
        voided_at = min(voided_at, now)
    if clawback is None:
        return _voided(created_at, void_delay, now)
    if clawback.status is StatementStatus.PAID:
        return Settlement(
            DeclarationState.CLAWED_BACK, statement.id, clawback.id, voided_at, changed_at=clawback.paid_at
        )
    return Settlement(DeclarationState.AWAITING_CLAWBACK, statement.id, clawback.id, voided_at, changed_at=voided_at)


_BASIC_EVIDENCE = (EvidenceHeld.TRAINING_EVENT_ATTENDED, EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED, EvidenceHeld.OTHER)
_DETAILED_EVIDENCE = (
    EvidenceHeld.TRAINING_EVENT_ATTENDED,
    EvidenceHeld.SELF_STUDY_MATERIAL_COMPLETED,
    EvidenceHeld.MATERIALS_ENGAGED_WITH_OFFLINE,
    EvidenceHeld.OTHER,
)
_ENGAGEMENT_EVIDENCE = (
    EvidenceHeld.SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET,
    EvidenceHeld.SEVENTY_FIVE_PERCENT_ENGAGEMENT_MET_REDUCED_INDUCTION,
)


def evidence_held(
    *, detailed: bool, role: ParticipantType, declaration_type: DeclarationType, pick: float
) -> str | None:
    """Evidence the rules of section 6 accept; ``pick`` in [0, 1) chooses among the allowed values."""
    choices: tuple[EvidenceHeld, ...]
    if not detailed:
        if declaration_type is DeclarationType.STARTED:
            return None  # ignored before 2025, so providers rarely sent it
        choices = _BASIC_EVIDENCE
    elif declaration_type is DeclarationType.RETAINED_2 and role is ParticipantType.ECT:
        choices = _ENGAGEMENT_EVIDENCE
    elif declaration_type is DeclarationType.COMPLETED:
        choices = _ENGAGEMENT_EVIDENCE + ((EvidenceHeld.ONE_TERM_INDUCTION,) if role is ParticipantType.ECT else ())
    else:
        choices = _DETAILED_EVIDENCE
    return choices[int(pick * len(choices))].value
