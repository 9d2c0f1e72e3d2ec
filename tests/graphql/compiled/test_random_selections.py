"""Random valid selection sets over the schema: compiled execution answers each with Strawberry's bytes."""

from __future__ import annotations

from graphql import GraphQLObjectType, get_named_type, is_leaf_type, is_non_null_type
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.graphql.compiled.corpus import AMBITION, ANALYST, QUERY_TYPE, Id
from tests.graphql.compiled.test_equivalence import _report

# Root fields with the arguments that make them return a few rows of the sandbox.
ROOTS = {
    "cohorts": "",
    "leadProviders": "",
    "me": "",
    "deliveryPartners": "(first: 4)",
    "participants": "(first: 4)",
    "participantTransfers": "(first: 3)",
    "unfundedMentors": "(first: 3)",
    "schools": '(cohort: "2024", first: 3)',
    "partnerships": "(first: 3)",
    "declarations": "(first: 4)",
    "statements": "(first: 3)",
    "participant": "(id: $participant)",
}
DIRECTIVES = [
    "",
    "",
    "",
    " @include(if: true)",
    " @skip(if: true)",
    " @include(if: $yes)",
    " @skip(if: $yes)",
    " @include(if: $no)",
]


def _fields(object_type: GraphQLObjectType) -> list[str]:
    return [
        name
        for name, definition in object_type.fields.items()
        if not any(is_non_null_type(a.type) and a.default_value is None for a in definition.args.values())
    ]


@st.composite
def selections(draw, object_type: GraphQLObjectType, depth: int) -> str:
    parts: list[str] = []
    for name in draw(st.lists(st.sampled_from(_fields(object_type)), min_size=1, max_size=6)):
        named = get_named_type(object_type.fields[name].type)
        # An alias always names the same field, so repeated picks merge instead of conflicting.
        alias = draw(st.sampled_from(["", f"x{name}: ", f"y_{name}: "]))
        text = f"{alias}{name}{draw(st.sampled_from(DIRECTIVES))}"
        if not is_leaf_type(named):
            if depth == 0:
                continue
            text += " { " + draw(selections(named, depth - 1)) + " }"
        wrapping = draw(st.sampled_from(["plain", "plain", "inline", "typed"]))
        if wrapping == "inline":
            text = "... { " + text + " }"
        elif wrapping == "typed":
            text = f"... on {object_type.name} {{ {text} }}"
        parts.append(text)
    if draw(st.booleans()) or not parts:
        parts.append("__typename")
    return " ".join(parts)


@st.composite
def documents(draw) -> tuple[str, dict]:
    roots = draw(st.lists(st.sampled_from(sorted(ROOTS)), min_size=1, max_size=2, unique=True))
    # Three levels below each row (connections have two more: edges, node), so a fan-out cycle such as
    # statements -> declarations -> statement -> declarations stays a few thousand rows.
    body = " ".join(
        f"{root}{ROOTS[root]} {{ {draw(selections(get_named_type(QUERY_TYPE.fields[root].type), 5 if ROOTS[root].startswith('(first') else 3))} }}"
        for root in roots
    )
    variables = {"yes": draw(st.booleans()), "no": False, "participant": Id("declarations ect")}
    types = {"yes": "Boolean!", "no": "Boolean!", "participant": "ID!"}
    used = {name: value for name, value in variables.items() if f"${name}" in body}
    definitions = ", ".join(f"${name}: {types[name]}" for name in used)
    return (f"query({definitions}) {{ {body} }}" if used else f"{{ {body} }}"), used


class TestRandomSelections:
    @settings(
        max_examples=40,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(document=documents(), analyst=st.booleans())
    async def test_any_valid_selection_answers_alike(self, readonly_db, paths, callers, resolve, document, analyst):
        query, variables = document

        answers = await paths.post(callers[ANALYST if analyst else AMBITION], query, resolve(variables))

        assert answers.same, query + "\n" + _report(answers)
        assert answers.outcome == "compiled", query + "\n" + _report(answers)
