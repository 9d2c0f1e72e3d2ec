"""Fixtures shared by the GraphQL tests."""

from __future__ import annotations

import dataclasses

import pytest

from gateway.config import GraphQLLimits
from gateway.graphql import endpoint
from gateway.graphql.limits import DocumentLimits
from gateway.graphql.schema import schema
from tests.participants_in_database import ParticipantsInDatabase

GENEROUS = 10**30


@pytest.fixture
def generous_limits():
    """Document limits out of the way, for suites about execution that build documents far past them
    (every relation at depth, nesting past the compiled planner's depth); tests/graphql/test_limits.py
    covers the limits themselves."""
    view = endpoint._graphql
    saved = view.limits
    limits = GraphQLLimits(**{f.name: GENEROUS for f in dataclasses.fields(GraphQLLimits)})
    view.limits = DocumentLimits(schema._schema, limits)
    yield view.limits
    view.limits = saved


@pytest.fixture
async def sandbox(readonly_db) -> ParticipantsInDatabase:
    """The sandbox's participants as its tables hold them, to compare answers with."""
    return await ParticipantsInDatabase.read(readonly_db.engine)
