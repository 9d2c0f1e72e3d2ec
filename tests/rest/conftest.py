"""Fixtures shared by the REST tests."""

from __future__ import annotations

import pytest

from tests.participants_in_database import ParticipantsInDatabase


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    """The sandbox's participants as its tables hold them, to compare answers with (test_contract has its own ``sandbox``)."""
    return await ParticipantsInDatabase.read(readonly_db.engine)
