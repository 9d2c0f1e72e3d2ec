"""A declaration as a provider sends it, and the typed values read from it.

Both faces hand the attributes over as received (any JSON value, ``None`` when
absent), so "missing" and "malformed" can be told apart and answered with the
published messages rather than a generic parse error.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from typing import Any, TypeVar

from gateway.vocabulary import ROLE_FOR_COURSE, CourseIdentifier, DeclarationType, ParticipantType

E = TypeVar("E", bound=StrEnum)

# RFC 3339 date-time (section 5.6): a time zone is required; "t"/"z" may be lower case; the fraction is any length.
_RFC3339 = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$"
)


@dataclass(frozen=True, slots=True)
class DeclarationSubmission:
    """The attributes of ``POST /participant-declarations`` as sent."""

    participant_id: Any = None
    declaration_type: Any = None
    declaration_date: Any = None
    course_identifier: Any = None
    evidence_held: Any = None


@dataclass(frozen=True, slots=True)
class ParsedSubmission:
    """What could be read from a submission; ``None`` where a value is missing or malformed."""

    participant_id: uuid.UUID | None
    declaration_type: DeclarationType | None
    declaration_date: datetime | None
    course_identifier: CourseIdentifier | None

    @property
    def role(self) -> ParticipantType | None:
        return None if self.course_identifier is None else ROLE_FOR_COURSE[self.course_identifier]


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_submission(submission: DeclarationSubmission) -> ParsedSubmission:
    return ParsedSubmission(
        participant_id=parse_uuid(submission.participant_id),
        declaration_type=parse_enum(DeclarationType, submission.declaration_type),
        declaration_date=parse_rfc3339(submission.declaration_date),
        course_identifier=parse_enum(CourseIdentifier, submission.course_identifier),
    )


def parse_uuid(value: Any) -> uuid.UUID | None:
    if not isinstance(value, str):
        return None
    try:
        return uuid.UUID(value.strip())
    except ValueError:
        return None


def parse_enum(kind: type[E], value: Any) -> E | None:
    if isinstance(value, kind):
        return value
    if not isinstance(value, str):
        return None
    try:
        return kind(value)
    except ValueError:
        return None


def parse_rfc3339(value: Any) -> datetime | None:
    """An RFC 3339 date-time as an aware UTC datetime (fractions beyond microseconds are cut), or None."""
    if not isinstance(value, str):
        return None
    match = _RFC3339.match(value.strip())
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, utc, sign, zone_hours, zone_minutes = match.groups()
    if utc:
        zone = UTC
    else:
        if int(zone_hours) > 23 or int(zone_minutes) > 59:
            return None
        offset = timedelta(hours=int(zone_hours), minutes=int(zone_minutes))
        zone = timezone(-offset if sign == "-" else offset)
    microseconds = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour), int(minute), int(second), microseconds, tzinfo=zone
        )
        return moment.astimezone(UTC)
    except ValueError:  # month 13, hour 29, 30 February...
        return None
    except OverflowError:  # 9999-12-31T23:59:59-14:00 is past the last moment Python can hold in UTC
        return None


def rfc3339(moment: datetime) -> str:
    """A moment as the published messages show it: UTC, whole seconds, ``Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
