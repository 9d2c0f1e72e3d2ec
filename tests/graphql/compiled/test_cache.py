"""Plans are compiled once per (document, operation name); what cannot be compiled is remembered."""

from __future__ import annotations

import pytest

from gateway.config import get_settings
from gateway.graphql.compiled import CompiledExecutor
from gateway.graphql.compiled import executor as executor_module
from gateway.graphql.compiled.cache import BoundedCache, is_uncompilable
from gateway.graphql.schema import schema
from tests.graphql.compiled.corpus import AMBITION

COHORTS = "{ cohorts { year } }"
WITH_DIRECTIVE = "query($on: Boolean!) { cohorts { year id @include(if: $on) } }"
INTROSPECTION = "{ __schema { queryType { name } } }"


class Counting:
    def __init__(self, wrapped):
        self.wrapped = wrapped
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.wrapped(*args, **kwargs)


@pytest.fixture
def counted(monkeypatch) -> dict[str, Counting]:
    found = {"parse": Counting(executor_module.parse), "generate": Counting(executor_module.generate)}
    for name, counter in found.items():
        monkeypatch.setattr(executor_module, name, counter)
    return found


class TestPlanCache:
    async def test_a_document_is_parsed_and_compiled_once(self, readonly_db, paths, callers, counted):
        for _ in range(3):
            answers = await paths.post(callers[AMBITION], COHORTS)
            assert answers.outcome == "compiled"

        assert (counted["parse"].calls, counted["generate"].calls) == (1, 1)

    async def test_each_operation_of_a_document_has_its_own_plan(self, readonly_db, paths, callers, counted):
        document = "query A { cohorts { year } }\nquery B { cohorts { id } }"

        first = await paths.post(callers[AMBITION], document, operation_name="A")
        second = await paths.post(callers[AMBITION], document, operation_name="B")

        assert b'"year"' in first.compiled and b'"id"' in second.compiled
        assert counted["generate"].calls == 2

    async def test_directive_variables_select_a_plan_compiled_once_per_value(
        self, readonly_db, paths, callers, counted
    ):
        for on in (True, False, True, False):
            answers = await paths.post(callers[AMBITION], WITH_DIRECTIVE, {"on": on})
            assert answers.same and answers.outcome == "compiled"
            assert (b'"id"' in answers.compiled) is on

        assert (counted["parse"].calls, counted["generate"].calls) == (1, 2)

    async def test_a_document_that_cannot_be_compiled_is_not_retried(
        self, readonly_db, paths, callers, executor, counted
    ):
        for _ in range(3):
            answers = await paths.post(callers[AMBITION], INTROSPECTION)
            assert answers.outcome == "fallback: introspection"

        assert (counted["parse"].calls, counted["generate"].calls) == (1, 0)
        entry = next(iter(executor.documents._items.values()))
        assert [is_uncompilable(v) for v in entry.variants.values()] == [True]

    async def test_an_invalid_document_is_refused_before_either_path_and_never_parsed_by_the_executor(
        self, readonly_db, paths, callers, counted
    ):
        for _ in range(2):
            answers = await paths.post(callers[AMBITION], "{ cohorts { nope } }")
            assert answers.outcome == "none" and answers.same
            assert b'"code":"BAD_USER_INPUT"' in answers.compiled

        assert counted["parse"].calls == 0


class TestBoundedCache:
    def test_the_least_recently_used_document_goes_first(self):
        cache: BoundedCache[int] = BoundedCache(2)
        cache.put("a", 1)
        cache.put("b", 2)
        cache.get("a")
        cache.put("c", 3)

        assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (1, None, 3, 2)

    async def test_the_executor_keeps_no_more_documents_than_its_bound(self, readonly_db, client, callers):
        from tests.graphql.compiled.paths import BothPaths

        small = CompiledExecutor(schema, maxsize=3)
        paths = BothPaths(client, small)
        for n in range(6):
            await paths.post(callers[AMBITION], f"{{ a{n}: cohorts {{ year }} }}")

        assert len(small.documents) == 3


class TestSwitch:
    def test_compiled_execution_can_be_turned_off_for_diagnosis(self, monkeypatch):
        monkeypatch.setenv("GATEWAY_COMPILED_EXECUTION", "0")
        get_settings.cache_clear()
        try:
            assert CompiledExecutor.from_settings(schema) is None
            monkeypatch.setenv("GATEWAY_COMPILED_EXECUTION", "1")
            get_settings.cache_clear()
            assert isinstance(CompiledExecutor.from_settings(schema), CompiledExecutor)
        finally:
            monkeypatch.undo()
            get_settings.cache_clear()
