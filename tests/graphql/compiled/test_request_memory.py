"""A request's loaded rows go when it is answered, on both paths, not when the cyclic collector next runs.

graphql-core's execution context refers to itself, so whatever the request's context still holds when the
request ends waits for a full collection: a sync page's 50,000 rows and ids, walked again by every collection
until then (a fifth of a page's CPU on SQLite), and held in memory meanwhile.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from gateway.domain.declarations.queries import DeclarationRow
from gateway.domain.participants.enrolments import EnrolmentRow
from gateway.domain.participants.queries import ParticipantRow
from gateway.domain.schools import SchoolRow
from tests.graphql.compiled.corpus import AMBITION

SYNC = """
query Sync($first: Int) { participants(first: $first) { edges { node { id fullName
  enrolments { trainingRecordId cohort school { id urn name } deliveryPartner { id name } }
  declarations { id declarationType state }
} } } }
"""

ROWS = (ParticipantRow, EnrolmentRow, DeclarationRow, SchoolRow)


@contextmanager
def cyclic_garbage() -> Iterator[list[object]]:
    """What only the cyclic collector would free of what the block allocated."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    found: list[object] = []
    try:
        yield found
        gc.collect()
        found.extend(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()


async def _page(paths, headers, *, compiled: bool) -> int:
    """The number of participants answered, through one path only."""
    with paths.only(compiled=compiled):
        response = await paths.client.post(
            "/graphql", json={"query": SYNC, "variables": {"first": 50}}, headers=headers
        )
    return len(response.json()["data"]["participants"]["edges"])


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "normal"])
async def test_the_rows_a_page_loaded_are_freed_as_it_is_answered(readonly_db, paths, callers, compiled):
    await _page(paths, callers[AMBITION], compiled=compiled)  # plans and caches filled before looking
    before = paths.executor.outcomes.copy()
    with cyclic_garbage() as garbage:
        assert await _page(paths, callers[AMBITION], compiled=compiled) == 50
    assert (paths.executor.outcomes - before) == ({"compiled": 1} if compiled else {})
    assert [type(o).__name__ for o in garbage if isinstance(o, ROWS)] == []
