"""When a declaration may be dated: its milestone's window, and (from 2025) its order among the others."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from gateway.vocabulary import DeclarationType

BEFORE_MILESTONE_START = "Declaration date must be on or after the milestone start date for the same declaration type."
AFTER_MILESTONE_DATE = "Declaration date must be on or before the milestone date for the same declaration type."
OUT_OF_SEQUENCE = "This '#/declaration_date' is invalid. Check that it is in sequence with existing declaration dates for this participant."

SEQUENCE_CHECKED_FROM = 2025
"""Windows have no end from this cohort on, so the order of a participant's declarations is checked instead."""

TYPE_ORDER = tuple(DeclarationType)


@dataclass(frozen=True, slots=True)
class MilestoneWindow:
    start_date: date
    milestone_date: date | None
    """The last day a declaration may be dated; ``None``: no upper bound."""


@dataclass(frozen=True, slots=True)
class DatedDeclaration:
    declaration_type: str
    declaration_date: datetime


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def window_error(window: MilestoneWindow, declared_at: datetime) -> str | None:
    if declared_at < _start_of(window.start_date):
        return BEFORE_MILESTONE_START
    # The whole of the milestone date's (UTC) day still counts.
    if window.milestone_date is not None and declared_at >= _start_of(window.milestone_date + timedelta(days=1)):
        return AFTER_MILESTONE_DATE
    return None


def out_of_sequence(
    declaration_type: DeclarationType, declared_at: datetime, others: Iterable[DatedDeclaration]
) -> bool:
    """Dated before a declaration of an earlier type, or after one of a later type (equal dates are in order)."""
    position = TYPE_ORDER.index(declaration_type)
    for other in others:
        other_position = TYPE_ORDER.index(DeclarationType(other.declaration_type))
        if other_position < position and declared_at < other.declaration_date:
            return True
        if other_position > position and declared_at > other.declaration_date:
            return True
    return False
