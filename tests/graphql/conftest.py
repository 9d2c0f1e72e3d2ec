"""Fixtures shared by the GraphQL tests."""

from __future__ import annotations

import pytest

from tests.participants_in_database import ParticipantsInDatabase


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    """The sandbox's participants as its tables hold them, to compare answers with."""
    return await ParticipantsInDatabase.read(readonly_db.engine)
