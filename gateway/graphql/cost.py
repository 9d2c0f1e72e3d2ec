"""The price of a document before it runs: the number of objects its answer can hold, and what one answer held.

Every object an answer can contain is counted once: a connection, each of its
edges, each node, each related row. A field that is not a list holds one
object per parent; a list holds at most its bound per parent: a page's
``edges`` the page size asked for (``first``, or the field's default, capped
like the page itself), any other list the bound declared beside its field
(``relation(bound=...)`` or ``list_bound(...)``, gateway.graphql.relations).
Introspection lists are bounded by the schema itself.

The estimate walks the document's syntax tree, not the planner's collected
fields (gateway.graphql.compiled.planner): field collection expands every
fragment spread anew, so a document whose fragments spread each other
twice per level would cost the estimator what it costs the executor. Here
each fragment is priced once per page size and reused: the price of a
selection set is linear in the number of its parents, so a fragment's price
per parent is all that needs remembering. ``@skip``/``@include`` are ignored
(an upper bound); so is the merging of fields asked twice under one key.
"""

from __future__ import annotations

import math
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    IntValueNode,
    NullValueNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    is_enum_type,
    is_input_object_type,
    is_interface_type,
    is_leaf_type,
    is_object_type,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

from gateway.domain.paging import DEFAULT_PAGE_SIZE, clamp_page_size
from gateway.graphql.compiled.planner import BACKREF, list_depth
from gateway.graphql.relations import PAGE, list_bound_of

UNDECLARED_LIST_BOUND = 100
"""A list field that declares no bound (a test keeps the schema free of them) is priced as a default page."""


class CostModel:
    """The bounds of one schema's lists, and the estimate of a document's operation over them."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.introspection_bounds = _introspection_bounds(schema)

    def list_bound(self, parent: GraphQLNamedType, field_def: GraphQLField) -> int | str:
        if (bound := list_bound_of(field_def.extensions.get(BACKREF))) is not None:
            return bound
        return self.introspection_bounds.get((parent.name, _field_name(parent, field_def)), UNDECLARED_LIST_BOUND)

    def estimate(
        self,
        root: GraphQLNamedType,
        selection_set: SelectionSetNode,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> int:
        """Objects the answer to this selection set (an operation's) can hold, for these coerced variables."""
        return _Estimate(self, fragments, variables).per_parent(root, selection_set, None, set())


class _Estimate:
    def __init__(self, model: CostModel, fragments: dict[str, FragmentDefinitionNode], variables: dict) -> None:
        self.model = model
        self.fragments = fragments
        self.variables = variables
        self.fragment_prices: dict[tuple[str, int | None], int] = {}

    def per_parent(
        self, parent: GraphQLNamedType, selection_set: SelectionSetNode, page: int | None, spread: set[str]
    ) -> int:
        """Objects below one parent object; ``spread``: fragments already counted in this selection set."""
        total = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                total += self.field(parent, selection, page)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                on = self.model.schema.get_type(condition.name.value) if condition else parent
                total += self.per_parent(on or parent, selection.selection_set, page, spread)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in spread or name not in self.fragments:
                    continue  # graphql-core collects a fragment once per selection set
                spread.add(name)
                total += self.fragment(name, page)
        return total

    def fragment(self, name: str, page: int | None) -> int:
        key = (name, page)
        price = self.fragment_prices.get(key)
        if price is None:
            definition = self.fragments[name]
            on = self.model.schema.get_type(definition.type_condition.name.value)
            price = 0 if on is None else self.per_parent(on, definition.selection_set, page, {name})
            self.fragment_prices[key] = price
        return price

    def field(self, parent: GraphQLNamedType, node: FieldNode, page: int | None) -> int:
        field_def = _field_def(self.model.schema, parent, node.name.value)
        if field_def is None or node.selection_set is None:
            return 0
        named = get_named_type(field_def.type)
        if is_leaf_type(named):
            return 0
        count = 1
        if list_depth(field_def.type):
            bound = self.model.list_bound(parent, field_def)
            count = (page if page is not None else DEFAULT_PAGE_SIZE) if bound == PAGE else int(bound)
        below_page = self.page_asked(field_def, node)
        return count * (1 + self.per_parent(named, node.selection_set, below_page, set()))

    def page_asked(self, field_def: GraphQLField, node: FieldNode) -> int | None:
        """The page size a field returning a connection was asked for, as ``paginate`` will clamp it."""
        argument = field_def.args.get("first")
        if argument is None:
            return None
        value: Any = argument.default_value
        for given in node.arguments or ():
            if given.name.value != "first":
                continue
            if isinstance(given.value, IntValueNode):
                value = int(given.value.value)
            elif isinstance(given.value, NullValueNode):
                value = None
            elif isinstance(given.value, VariableNode):
                value = self.variables.get(given.value.name.value, argument.default_value)
        if not isinstance(value, int):
            value = DEFAULT_PAGE_SIZE
        return clamp_page_size(value)


def page_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables an estimate of this document can read: those given as a field's ``first``.

    ``_Estimate.page_asked`` is the estimate's only read of a variable, so a document's price is a function
    of these variables' values alone, and can be remembered by them (gateway.graphql.limits)."""
    names: set[str] = set()
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode):
            names.update(
                given.value.name.value
                for given in node.arguments or ()
                if given.name.value == "first" and isinstance(given.value, VariableNode)
            )
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return tuple(sorted(names))


def _field_def(schema: GraphQLSchema, parent: GraphQLNamedType, name: str) -> GraphQLField | None:
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    if name == "__typename":
        return TypeNameMetaFieldDef
    fields = getattr(parent, "fields", None)
    return None if fields is None else fields.get(name)


def _field_name(parent: GraphQLNamedType, field_def: GraphQLField) -> str:
    for name, candidate in getattr(parent, "fields", {}).items():
        if candidate is field_def:
            return name
    return ""


def _introspection_bounds(schema: GraphQLSchema) -> dict[tuple[str, str], int]:
    """Introspection lists are as long as the schema makes them.

    ``__Schema.types`` lists every type; below it, each type's lists are priced at their average length
    (rounded up), so walking every type's fields costs about the schema's number of fields.
    """
    types = list(schema.type_map.values())
    with_fields = [t for t in types if is_object_type(t) or is_interface_type(t)]
    fields = [f for t in with_fields for f in t.fields.values()]
    inputs = [t for t in types if is_input_object_type(t)]
    enums = [t for t in types if is_enum_type(t)]
    directives = list(schema.directives)

    def average(total: int, parents: int) -> int:
        return max(1, math.ceil(total / max(1, parents)))

    return {
        ("__Schema", "types"): len(types),
        ("__Schema", "directives"): len(directives),
        ("__Type", "fields"): average(len(fields), len(with_fields)),
        ("__Type", "inputFields"): average(sum(len(t.fields) for t in inputs), len(inputs)),
        ("__Type", "enumValues"): average(sum(len(t.values) for t in enums), len(enums)),
        ("__Type", "interfaces"): average(sum(len(getattr(t, "interfaces", ())) for t in with_fields), len(types)),
        ("__Type", "possibleTypes"): average(len(with_fields), len(types)),
        ("__Field", "args"): average(sum(len(f.args) for f in fields), len(fields)),
        ("__Directive", "args"): average(sum(len(d.args) for d in directives), len(directives)),
    }


def objects_in(data: Any) -> int:
    """Objects an answer's ``data`` holds, counted as the estimate counts them (``data`` itself excluded)."""
    count = 0
    pending = [data]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            count += 1
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return count - 1 if isinstance(data, dict) else count
