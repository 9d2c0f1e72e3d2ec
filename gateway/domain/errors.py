"""The domain's own errors. Each face maps them to its format once (REST handler, GraphQL payload)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

Found = TypeVar("Found")
Key = TypeVar("Key", bound=Hashable)


class DomainError(Exception):
    """Base class of every error a caller is meant to see."""


class Unauthenticated(DomainError):
    pass


class Forbidden(DomainError):
    pass


class NotFound(DomainError):
    """Missing, or not visible to the caller: the two are deliberately indistinguishable."""


def one_found(found: Mapping[Key, Found], key: Key) -> Found:
    """The record ``key`` names among those a lookup found for the caller; ``NotFound`` if it is not there."""
    if key not in found:
        raise NotFound()
    return found[key]


class BadRequest(DomainError):
    """A malformed request: a bad filter, page or body. ``title`` and ``detail`` are published texts."""

    def __init__(self, title: str, detail: str) -> None:
        super().__init__(detail)
        self.title = title
        self.detail = detail


@dataclass(frozen=True, slots=True)
class FieldError:
    attribute: str
    message: str


class ValidationFailed(DomainError):
    """An action's checks failed; one entry per message, in the published order."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.attribute}: {e.message}" for e in errors))
        self.errors = errors

    @classmethod
    def single(cls, attribute: str, message: str) -> ValidationFailed:
        return cls([FieldError(attribute, message)])
