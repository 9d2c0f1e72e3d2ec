"""The ordered checks of an action: each attribute reports its first failure only.

Actions load what they need first, then run pure checks in the published
order. A check on an attribute that already failed is skipped (DfE's
``return if errors[:field].any?``), so a client sees one message per
attribute, the first that applies.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from gateway.domain.errors import FieldError, ValidationFailed


class Validation:
    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def failed(self, attribute: str) -> bool:
        return any(error.attribute == attribute for error in self.errors)

    def check(self, attribute: str, fails: Callable[[], bool], message: str) -> bool:
        """Record ``message`` when ``fails()``; skipped (and ``fails`` not called) once ``attribute`` has failed.
        Returns whether the attribute has failed so far."""
        if not self.failed(attribute) and fails():
            self.errors.append(FieldError(attribute, message))
        return self.failed(attribute)

    def raise_if_failed(self) -> None:
        if self.errors:
            raise ValidationFailed(list(self.errors))


def given(value: str | None) -> str | None:
    """A value as the client sent it, or None when it is missing or blank (blank counts as missing)."""
    if value is None or not value.strip():
        return None
    return value.strip()


def as_uuid(value: str | None) -> uuid.UUID | None:
    """An id as sent, or None when it is not a UUID (it can then name no record)."""
    try:
        return None if value is None else uuid.UUID(value)
    except ValueError:
        return None
