"""Documents for the equivalence suite, generated from the schema so new fields and filters join it by themselves.

- ``full_selection``: every leaf field of a type, and its object fields down to a depth;
- ``relation_cases``: every root field with a deep selection (so every relation is reached);
- ``filter_cases``: every argument of every connection root, with a value from ``ARGUMENT_VALUES``
  (a new argument without a value there fails ``test_every_root_argument_has_a_corpus_value``);
- ``LANGUAGE_CASES``: aliases, fragments, directives, ``__typename``, errors, bad variables.

Values that are sandbox ids are written ``Id("case name")`` and filled in by the test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import GraphQLObjectType, get_named_type, is_enum_type, is_leaf_type, is_list_type, is_non_null_type

from gateway.graphql.schema import schema

AMBITION = "Ambition Institute"
TEACH_FIRST = "Teach First"
ANALYST = "analyst"

QUERY_TYPE = schema._schema.query_type


@dataclass(frozen=True)
class Id:
    """A sandbox record's id, by case name (``gateway.sandbox.cases.Case``) or "lead provider <name>"."""

    name: str


@dataclass
class Case:
    name: str
    query: str
    variables: dict[str, Any] = field(default_factory=dict)
    caller: str = AMBITION
    compiled: bool = True
    """False when the compiled executor is expected to hand the request to Strawberry."""
    operation_name: str | None = None


def full_selection(object_type: GraphQLObjectType, depth: int, reached: set[tuple[str, str]] | None = None) -> str:
    """Every field of ``object_type`` without required arguments, objects ``depth`` levels down;
    ``reached`` collects the (type, field) pairs selected."""
    parts: list[str] = []
    for name, definition in object_type.fields.items():
        if any(is_non_null_type(arg.type) and arg.default_value is None for arg in definition.args.values()):
            continue
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            parts.append(name)
        elif depth > 0 and isinstance(named, GraphQLObjectType):
            parts.append(f"{name} {{ {full_selection(named, depth - 1, reached)} }}")
        else:
            continue
        if reached is not None:
            reached.add((object_type.name, name))
    return " ".join(parts)


def _node_type(root: str) -> GraphQLObjectType:
    connection = get_named_type(QUERY_TYPE.fields[root].type)
    edge = get_named_type(connection.fields["edges"].type)
    return get_named_type(edge.fields["node"].type)


def graph_fields() -> set[tuple[str, str]]:
    """(type, field) of every field of every object type a query can reach, the root's own excepted."""
    found: set[tuple[str, str]] = set()
    pending = [get_named_type(f.type) for f in QUERY_TYPE.fields.values()]
    seen: set[str] = set()
    while pending:
        object_type = pending.pop()
        if (
            not isinstance(object_type, GraphQLObjectType)
            or object_type.name in seen
            or object_type.name.startswith("__")
        ):
            continue
        seen.add(object_type.name)
        for name, definition in object_type.fields.items():
            found.add((object_type.name, name))
            pending.append(get_named_type(definition.type))
    return found


def connection_roots() -> list[str]:
    return [name for name, f in QUERY_TYPE.fields.items() if "edges" in getattr(get_named_type(f.type), "fields", {})]


# A value for every argument of every connection root (other than first/after), as a GraphQL variable value.
ARGUMENT_VALUES: dict[str, list[Any]] = {
    "cohort": [["2024"], ["2021", "2025"], ["not a year"]],
    "trainingStatus": [["ACTIVE"], ["WITHDRAWN", "DEFERRED"]],
    "fromParticipantId": [[Id("merged away participant")]],
    "participantId": [[Id("declarations ect")]],
    "deliveryPartnerId": [[Id("delivery partner of two providers")]],
    "updatedSince": ["2025-01-01T00:00:00Z", "2025-06-01", "yesterday"],
    "leadProviderId": [Id(f"lead provider {TEACH_FIRST}")],
    "urn": ["100001", "999999"],
    "type": [["ecf"], ["npq"]],
}
SCALAR_ARGUMENTS = {"schools": {"cohort": ["2024", "2025"]}}
REQUIRED = {"schools": {"cohort": "2025"}}


def _variables_query(root: str, args: dict[str, str], selection: str) -> str:
    field_args = QUERY_TYPE.fields[root].args
    definitions = ", ".join(f"${name}: {field_args[name].type}" for name in args)
    passed = ", ".join(f"{name}: ${name}" for name in args)
    return f"query({definitions}) {{ {root}({passed}) {{ {selection} }} }}"


def filter_cases() -> list[Case]:
    cases: list[Case] = []
    for root in connection_roots():
        node = full_selection(_node_type(root), 0)
        selection = f"totalCount pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} edges {{ cursor node {{ {node} }} }}"
        required = REQUIRED.get(root, {})
        for name, argument in QUERY_TYPE.fields[root].args.items():
            if name in ("first", "after"):
                continue
            if is_enum_type(get_named_type(argument.type)):
                values = list(get_named_type(argument.type).values)
            else:
                values = SCALAR_ARGUMENTS.get(root, {}).get(name) or ARGUMENT_VALUES[name]
            for position, value in enumerate(values):
                variables = {**required, name: value, "first": 5}
                args = {n: str(QUERY_TYPE.fields[root].args[n].type) for n in variables}
                caller = ANALYST if name == "leadProviderId" else AMBITION
                cases.append(
                    Case(f"{root}-{name}-{position}", _variables_query(root, args, selection), variables, caller)
                )
    return cases


def relation_cases(depth: int = 3, reached: set[tuple[str, str]] | None = None) -> list[Case]:
    """Every root field with everything below it, ``depth`` levels down for a provider (one level less for the
    analyst, who sees every provider's rows): every relation of the graph is reached.

    Plain lists (``leadProviders``, ``cohorts``) go one level down only: below them every provider's statements
    fan out to every declaration, which the paged roots (``statements(first: 3)``) reach more cheaply.
    """
    single_ids = {
        "deliveryPartner": {"id": Id("delivery partner of two providers")},
        "participant": {"id": Id("declarations ect")},
        "participantTransfer": {"id": Id("transfer: new provider")},
        "unfundedMentor": {"id": Id("unfunded mentor")},
        "school": {"id": Id("ambition home school"), "cohort": "2024"},
        "declaration": {"id": Id("declaration: paid")},
    }
    cases: list[Case] = []
    connections = set(connection_roots())
    for root, definition in QUERY_TYPE.fields.items():
        named = get_named_type(definition.type)
        for caller, levels in ((AMBITION, depth), (ANALYST, depth - 1)):
            if root in connections:
                selection = full_selection(
                    named, levels + 2, reached if caller == AMBITION else None
                )  # + connection, edge
                variables = {**REQUIRED.get(root, {}), "first": 3}
            elif is_list_type(definition.type) or (
                is_non_null_type(definition.type) and is_list_type(definition.type.of_type)
            ):
                selection = full_selection(named, 1, reached if caller == AMBITION else None)
                variables = {}
            else:
                selection = (
                    full_selection(named, levels, reached if caller == AMBITION else None)
                    if isinstance(named, GraphQLObjectType)
                    else ""
                )
                variables = dict(single_ids.get(root, {}))
                if any(is_non_null_type(a.type) for a in definition.args.values()) and not variables:
                    continue  # looked up by an id taken from its list (see TestSingleRecords)
            args = {n: str(definition.args[n].type) for n in variables}
            query = _variables_query(root, args, selection) if args else f"{{ {root} {{ {selection} }} }}"
            cases.append(Case(f"{root}-deep-{caller}", query, variables, caller))
    return cases


_PARTNER = "fragment Partner on DeliveryPartner { id name ...Years }\nfragment Years on DeliveryPartner { cohort cohorts { year } }"

LANGUAGE_CASES = [
    Case("aliases", "{ a: cohorts { y: year id } b: cohorts { year } }"),
    Case("same field twice merges", "{ cohorts { year } cohorts { id year } }"),
    Case("long alias", "{ " + "a" * 5000 + ": cohorts { year } }"),
    Case(
        "named fragments",
        "query P { deliveryPartners(first: 4) { edges { node { ...Partner } } } }\n" + _PARTNER,
        operation_name="P",
    ),
    Case(
        "operation chosen by name",
        "query A { cohorts { year } }\nquery B { deliveryPartners { totalCount } }",
        operation_name="B",
    ),
    Case("inline fragments", "{ deliveryPartners { edges { node { ... on DeliveryPartner { id } ... { name } } } } }"),
    Case(
        "typename everywhere",
        "{ __typename deliveryPartners { __typename edges { __typename node { __typename cohorts { __typename } } } } }",
    ),
    Case(
        "literal directives", "{ cohorts { year @include(if: true) id @skip(if: true) startsOn @include(if: false) } }"
    ),
    Case(
        "directives with variables: included",
        "query($a: Boolean!, $b: Boolean = false) { cohorts { year @include(if: $a) id @skip(if: $b) ... @include(if: $a) { createdAt } } }",
        {"a": True},
    ),
    Case(
        "directives with variables: skipped",
        "query($a: Boolean!, $b: Boolean = false) { cohorts { year @include(if: $a) id @skip(if: $b) ... @include(if: $a) { createdAt } } }",
        {"a": False, "b": True},
    ),
    Case(
        "a directive on a fragment spread",
        "query($x: Boolean!) { deliveryPartners { edges { node { id ...Partner @skip(if: $x) } } } }\n" + _PARTNER,
        {"x": False},
    ),
    Case(
        "not found: another provider's participant",
        "query($id: ID!) { participant(id: $id) { id fullName } }",
        {"id": Id("unfunded mentor")},
    ),
    Case("not found: a malformed id", '{ deliveryPartner(id: "not-a-uuid") { id } }'),
    Case("not found: a missing id", '{ statement(id: "00000000-0000-0000-0000-000000000000") { id } }'),
    Case(
        "not found beside found",
        'query($id: ID!) { a: participant(id: "00000000-0000-0000-0000-000000000000") { id } b: participant(id: $id) { id } cohorts { year } }',
        {"id": Id("declarations ect")},
    ),
    Case("bad user input nulls a non-null root", '{ participants(updatedSince: "yesterday") { totalCount } }'),
    Case("a bad cursor", '{ deliveryPartners(after: "bm90IGEgY3Vyc29y") { totalCount } }'),
    Case("a negative page size", "{ deliveryPartners(first: -1) { totalCount } }"),
    Case("hostile string argument", 'query { participant(id: "\\"); import os #\\n\\u00e9\\u2028") { id } }'),
    Case(
        "bad variables", "query($f: Int) { deliveryPartners(first: $f) { totalCount } }", {"f": "ten"}, compiled=False
    ),
    Case("a missing variable", "query($id: ID!) { participant(id: $id) { id } }", {}, compiled=False),
    Case("introspection", "{ __schema { queryType { name } } }", compiled=False),
    Case("introspection of a type", '{ __type(name: "Cohort") { name fields { name } } }', compiled=False),
    Case("a syntax error", "{ cohorts { year }", compiled=False),
    Case("an unknown field", "{ cohorts { nope } }", compiled=False),
    Case(
        "a mutation",
        'mutation { voidDeclaration(id: "00000000-0000-0000-0000-000000000000") { errors { message } } }',
        compiled=False,
    ),
    Case("an unknown operation name", "query A { cohorts { year } }", operation_name="B", compiled=False),
    Case("the caller", "{ me { role leadProvider { id name statements { id } } } }"),
    Case("the analyst", "{ me { role leadProvider { id } } leadProviders { name } }", caller=ANALYST),
]
