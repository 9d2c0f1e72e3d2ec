"""The fingerprint of a declaration submission.

Two submissions are the same when the same lead provider declares the same
type and course for the same participant, on the same instant, with the same
evidence. The digest is stored on every declaration and a partial unique index
on it makes concurrent identical POSTs collapse onto one row (domain.md
section 6), so the seed and the write action must compute it identically.
"""

from __future__ import annotations

import hashlib
import uuid
from datetime import UTC, datetime

# A separator no field can contain, so ("a", "bc") and ("ab", "c") never collide.
_SEPARATOR = "\x1f"


def _canonical_uuid(value: uuid.UUID | str) -> str:
    return str(value) if isinstance(value, uuid.UUID) else str(uuid.UUID(value))


def submission_digest(
    *,
    lead_provider_id: uuid.UUID | str,
    participant_id: uuid.UUID | str,
    declaration_type: str,
    course_identifier: str,
    declaration_date: datetime,
    evidence_held: str | None,
) -> str:
    """SHA-256 hex of the canonical form of a submission.

    The date is compared as an instant: it is normalised to UTC (a naive value
    is taken as UTC, as the database layer does) with microseconds, so
    ``2025-01-01T10:00:00+01:00`` and ``2025-01-01T09:00:00Z`` are the same.
    """
    if declaration_date.tzinfo is None:
        declaration_date = declaration_date.replace(tzinfo=UTC)
    canonical = _SEPARATOR.join(
        (
            _canonical_uuid(lead_provider_id),
            _canonical_uuid(participant_id),
            str(declaration_type),
            str(course_identifier),
            declaration_date.astimezone(UTC).isoformat(timespec="microseconds"),
            "" if evidence_held is None else str(evidence_held),
        )
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
