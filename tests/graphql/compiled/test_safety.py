"""Hostile documents neither break the compiled path nor reach the generated source."""

from __future__ import annotations

import ast
import re

import pytest

from gateway.graphql.compiled.cache import is_uncompilable
from tests.graphql.compiled.corpus import AMBITION
from tests.graphql.compiled.test_equivalence import _report

NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
ACTIVE_ECT = "active ect"
PAYLOAD = "'\"); __import__('os').system('touch /tmp/pwned') #\n\u00e9\u2028\\u0000"


def _nested(levels: int) -> str:
    """An ECT's enrolments -> mentor -> enrolments -> mentor ... ``levels`` times: deep in the document,
    small in the data (a mentor has no mentor), unlike a fan-out cycle such as partnerships <-> deliveryPartner."""
    opening = "".join("enrolments { mentor { " for _ in range(levels))
    return "query($id: ID!) { participant(id: $id) { id " + opening + "fullName" + " } }" * levels + " } }"


HOSTILE = {
    "quotes and newlines in a string argument": '{ participant(id: "\\"); import os\\n os.system(\\"x\\") #") { id } }',
    "a block string argument": '{ participant(id: """\n\'\'\' ; exec(1) \\""" """) { id } }',
    "unicode in a string argument": '{ participant(id: "\u00e9\u4e2d\u0000\ud7ff \u2028 \U0001f600") { id } }',
    "a hostile variable value": "query($id: ID!) { participant(id: $id) { id } }",
    "a very long alias": "{ " + "_" * 20000 + ": cohorts { year } }",
    "many aliases": "{ " + " ".join(f"a{i}: cohorts {{ y{i}: year }}" for i in range(300)) + " }",
    "an alias shaped like Python": "{ __import__: cohorts { exec: year eval: id } }",
    "unicode in a name": "{ coh\u00f6rts { year } }",
    "a quote in a name": "{ cohorts { ye'ar } }",
    "nesting within the compiled depth": _nested(10),
    "nesting past the compiled depth": _nested(40),
}


def _variables(name: str, sandbox_ids: dict[str, str]) -> dict[str, str] | None:
    if name.startswith("nesting"):
        return {"id": sandbox_ids[ACTIVE_ECT]}
    return {"id": PAYLOAD} if "$id" in HOSTILE[name] else None


ALLOWED_NAMES = {
    "o",
    "S",
    "R",
    "str",
    "int",
    "bool",
    "map",
    "isinstance",
    "_null",
    "_as_list",
    "_leaf",
    "_lookup",
    "_UUID",
}
GENERATED = re.compile(r"_[vcp]\d+")


def _generated(source: str) -> set[str]:
    return {
        node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name) and GENERATED.fullmatch(node.id)
    }


def _string_constants(source: str) -> list[str]:
    return [
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]


class TestHostileDocuments:
    @pytest.mark.parametrize("name", HOSTILE)
    async def test_a_hostile_document_answers_like_the_normal_path(
        self, readonly_db, paths, callers, sandbox_ids, name
    ):
        answers = await paths.post(callers[AMBITION], HOSTILE[name], _variables(name, sandbox_ids))

        assert answers.same, _report(answers)

    async def test_generated_source_holds_no_text_but_graphql_names(
        self, readonly_db, paths, callers, executor, sandbox_ids
    ):
        for name, document in HOSTILE.items():
            await paths.post(callers[AMBITION], document, _variables(name, sandbox_ids))

        sources = [
            variant.source
            for entry in executor.documents._items.values()
            if not is_uncompilable(entry)
            for variant in entry.variants.values()
            if not is_uncompilable(variant)
        ]
        assert len(sources) >= 5
        for source in sources:
            assert "system" not in source and "exec(1)" not in source and "pwned" not in source
            # Every string in the generated module is a dictionary key or a type name: a GraphQL name.
            assert all(NAME.fullmatch(text) for text in _string_constants(source))
            # And it names nothing but its arguments, its own locals and functions, and its helpers.
            assert {
                node.id for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Name)
            } <= ALLOWED_NAMES | _generated(source)

    async def test_nesting_within_the_compiled_depth_is_compiled(self, readonly_db, paths, callers, sandbox_ids):
        name = "nesting within the compiled depth"
        answers = await paths.post(callers[AMBITION], HOSTILE[name], _variables(name, sandbox_ids))

        assert answers.outcome == "compiled"
        assert b'"mentor":{' in answers.compiled

    async def test_nesting_past_the_compiled_depth_is_handed_to_strawberry(
        self, readonly_db, paths, callers, sandbox_ids
    ):
        name = "nesting past the compiled depth"
        answers = await paths.post(callers[AMBITION], HOSTILE[name], _variables(name, sandbox_ids))

        assert answers.outcome.startswith("fallback"), answers.outcome
        assert answers.same
