"""The load phase walks a row's attributes only where something below them loads."""

from __future__ import annotations

from gateway.graphql.compiled.cache import CompiledDocument
from tests.graphql.compiled.corpus import AMBITION

LEAVES_BELOW = """{ participants(first: 5) { edges { node { id
  enrolments { cohort school { id name } deliveryPartner { id name } withdrawal { reason date } }
} } } }"""

A_RELATION_BELOW = """{ participants(first: 5) { edges { node { id
  enrolments { cohort school { id name } withdrawal { reason date } mentor { fullName } }
} } } }"""


async def _loading_fields(paths, callers, query: str) -> dict[str, list[str]]:
    """The fields the load phase visits in the outermost selection of each type."""
    answers = await paths.post(callers[AMBITION], query)
    assert answers.outcome == "compiled" and answers.same
    document = paths.executor.documents.get((query, None))
    assert isinstance(document, CompiledDocument)
    [compiled] = document.variants.values()
    found: dict[str, list[str]] = {}
    for selection in compiled.plan.selections:  # outermost first: a mentor's Participant comes after the node's
        found.setdefault(selection.type_name, [f.key for f in selection.loading_fields])
    return found


async def test_rows_with_only_leaves_below_are_not_walked(readonly_db, paths, callers):
    loading = await _loading_fields(paths, callers, LEAVES_BELOW)
    assert loading["Enrolment"] == []
    assert loading["Participant"] == []
    assert loading["ParticipantEdge"] == []


async def test_rows_with_a_relation_below_are_walked_down_to_it(readonly_db, paths, callers):
    loading = await _loading_fields(paths, callers, A_RELATION_BELOW)
    assert loading["Enrolment"] == ["mentor"]  # not the school or the withdrawal beside it
    assert loading["Participant"] == ["enrolments"]
    assert loading["ParticipantEdge"] == ["node"]
