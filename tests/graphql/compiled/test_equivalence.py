"""Compiled execution answers every query of the corpus with the same bytes as Strawberry's execution."""

from __future__ import annotations

import orjson
import pytest
from graphql import get_named_type

from gateway.graphql.loaders.schools import SchoolByIdAndCohortLoader
from tests.graphql.compiled.corpus import (
    AMBITION,
    ANALYST,
    ARGUMENT_VALUES,
    LANGUAGE_CASES,
    QUERY_TYPE,
    REQUIRED,
    SCALAR_ARGUMENTS,
    connection_roots,
    filter_cases,
    full_selection,
    graph_fields,
    relation_cases,
)

FIRST_PAGE = "query($first: Int{required}) {{ {root}(first: $first{passed}) {{ pageInfo {{ endCursor }} edges {{ node {{ id }} }} }} }}"
NEXT_PAGE = (
    "query($first: Int, $after: String{required}) "
    "{{ {root}(first: $first, after: $after{passed}) {{ totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} "
    "edges {{ cursor node {{ {selection} }} }} }} }}"
)


def _required(root: str) -> tuple[str, str]:
    names = REQUIRED.get(root, {})
    return "".join(f", ${n}: {QUERY_TYPE.fields[root].args[n].type}" for n in names), "".join(
        f", {n}: ${n}" for n in names
    )


def _report(answers) -> str:
    return f"outcome {answers.outcome}\ncompiled: {answers.compiled[:800]!r}\nnormal:   {answers.normal[:800]!r}"


class TestCorpus:
    @pytest.mark.parametrize("case", LANGUAGE_CASES, ids=lambda c: c.name)
    async def test_the_language_corpus_answers_alike(self, readonly_db, paths, callers, resolve, case):
        answers = await paths.post(callers[case.caller], case.query, resolve(case.variables), case.operation_name)

        assert answers.same, _report(answers)
        assert (answers.outcome == "compiled") is case.compiled, _report(answers)

    @pytest.mark.parametrize("case", relation_cases(), ids=lambda c: c.name)
    async def test_every_root_field_and_relation_answers_alike(self, readonly_db, paths, callers, resolve, case):
        answers = await paths.post(callers[case.caller], case.query, resolve(case.variables))

        assert answers.same, _report(answers)
        assert answers.outcome == "compiled", _report(answers)
        assert "errors" not in orjson.loads(answers.compiled), _report(answers)

    @pytest.mark.parametrize("case", filter_cases(), ids=lambda c: c.name)
    async def test_every_connection_filter_and_order_answers_alike(self, readonly_db, paths, callers, resolve, case):
        answers = await paths.post(callers[case.caller], case.query, resolve(case.variables))

        assert answers.same, _report(answers)
        assert answers.outcome == "compiled", _report(answers)


class TestTransport:
    async def test_a_query_sent_by_get_answers_alike(self, readonly_db, paths, callers):
        answers = await paths.get(
            callers[AMBITION], "query($n: Int) { deliveryPartners(first: $n) { edges { node { id name } } } }", {"n": 2}
        )

        assert answers.same, _report(answers)
        assert answers.outcome == "compiled", _report(answers)
        assert b'"name"' in answers.compiled

    async def test_a_mutation_sent_by_get_is_refused_alike(self, readonly_db, paths, callers):
        answers = await paths.get(callers[AMBITION], 'mutation { voidDeclaration(id: "x") { errors { message } } }')

        assert answers.same, _report(answers)
        assert answers.outcome == "none", _report(answers)  # refused (405) before either path


PARTNERSHIP_SCHOOLS = """
{ partnerships(first: 3) { totalCount edges { node { id school { id name } deliveryPartner { name } } } } }
"""
NULLABLE_SCHOOLS = (
    "{ participantTransfers(first: 3) { edges { node { id transfers { trainingRecordId"
    " leaving { schoolUrn school { id name } } } } } } }"
)


async def _nothing_found(_conn, _caller, _keys) -> dict:
    return {}


async def _broken(_conn, _caller, _keys) -> dict:
    raise RuntimeError("the database went away")


class TestFieldErrors:
    """Errors below the root: the compiled path hands the request to Strawberry, which reports them by the spec."""

    async def test_a_null_in_a_non_null_relation_propagates_alike(self, readonly_db, paths, callers, monkeypatch):
        monkeypatch.setattr(SchoolByIdAndCohortLoader, "lookup", staticmethod(_nothing_found))

        answers = await paths.post(callers[AMBITION], PARTNERSHIP_SCHOOLS)

        assert answers.same, _report(answers)
        # School! -> node! -> [Edge!]! -> Connection!: the null climbs to the root; the error names the school.
        assert answers.compiled.startswith(b'{"data":null,')
        assert b'"path":["partnerships","edges",0,"node","school"]' in answers.compiled
        assert answers.outcome == "fallback: load or projection"

    async def test_a_failing_loader_is_masked_alike(self, readonly_db, paths, callers, monkeypatch):
        monkeypatch.setattr(SchoolByIdAndCohortLoader, "lookup", staticmethod(_broken))

        answers = await paths.post(callers[AMBITION], NULLABLE_SCHOOLS)

        assert answers.same, _report(answers)
        assert b'"code":"INTERNAL"' in answers.compiled and b"went away" not in answers.compiled

    async def test_a_null_in_a_nullable_relation_is_just_null(self, readonly_db, paths, callers, monkeypatch):
        monkeypatch.setattr(SchoolByIdAndCohortLoader, "lookup", staticmethod(_nothing_found))

        answers = await paths.post(callers[AMBITION], NULLABLE_SCHOOLS)

        assert answers.same, _report(answers)
        assert answers.outcome == "compiled"
        assert b'"school":null' in answers.compiled


class TestPaging:
    @pytest.mark.parametrize("root", connection_roots())
    async def test_the_page_after_a_cursor_answers_alike(self, readonly_db, paths, callers, root):
        required, passed = _required(root)
        variables = {**REQUIRED.get(root, {}), "first": 2}
        first = await paths.normal(
            callers[ANALYST], FIRST_PAGE.format(root=root, required=required, passed=passed), variables
        )
        cursor = first["data"][root]["pageInfo"]["endCursor"] if first.get("data") else "bm90IGEgY3Vyc29y"
        node_type = get_named_type(
            get_named_type(get_named_type(QUERY_TYPE.fields[root].type).fields["edges"].type).fields["node"].type
        )
        query = NEXT_PAGE.format(root=root, required=required, passed=passed, selection=full_selection(node_type, 1))

        answers = await paths.post(callers[ANALYST], query, {**variables, "after": cursor})

        assert answers.same, _report(answers)
        assert answers.outcome == "compiled", _report(answers)


class TestSingleRecords:
    @pytest.mark.parametrize(
        "root", [r for r in QUERY_TYPE.fields if "id" in QUERY_TYPE.fields[r].args and f"{r}s" in connection_roots()]
    )
    async def test_a_record_found_through_its_list_answers_alike(self, readonly_db, paths, callers, root):
        required, passed = _required(f"{root}s")
        listed = await paths.normal(
            callers[AMBITION],
            FIRST_PAGE.format(root=f"{root}s", required=required, passed=passed),
            {**REQUIRED.get(f"{root}s", {}), "first": 1},
        )
        edges = listed["data"][f"{root}s"]["edges"]
        if not edges:
            pytest.skip(f"the sandbox shows Ambition no {root}s")
        args = {"id": edges[0]["node"]["id"], **REQUIRED.get(f"{root}s", {})}
        definitions = ", ".join(f"${n}: {QUERY_TYPE.fields[root].args[n].type}" for n in args)
        passed_args = ", ".join(f"{n}: ${n}" for n in args)
        selection = full_selection(get_named_type(QUERY_TYPE.fields[root].type), 2)

        for caller in (AMBITION, ANALYST):
            answers = await paths.post(
                callers[caller], f"query({definitions}) {{ {root}({passed_args}) {{ {selection} }} }}", args
            )

            assert answers.same, _report(answers)
            assert answers.outcome == "compiled", _report(answers)


class TestCorpusCoverage:
    def test_every_root_argument_has_a_corpus_value(self):
        for root in connection_roots():
            for name, argument in QUERY_TYPE.fields[root].args.items():
                if name in ("first", "after") or hasattr(get_named_type(argument.type), "values"):
                    continue
                assert name in ARGUMENT_VALUES or name in SCALAR_ARGUMENTS.get(root, {}), (
                    f"{root}({name}:) has no corpus value"
                )

    def test_the_relation_cases_select_every_field_of_the_graph(self):
        reached: set[tuple[str, str]] = set()
        relation_cases(reached=reached)

        assert graph_fields() - reached == set()
