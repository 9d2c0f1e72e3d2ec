"""A query operation as a plan: per selection set, the fields to project and the relations to load.

The plan is built over the graphql-core schema Strawberry generated, with
graphql-core's own field collection (aliases, fragments, type conditions and
``@skip``/``@include`` already resolved against the variables), so the fields
and their order are exactly those the normal executor would resolve. Each field
is classified from its Strawberry definition; anything the compiled path does
not reproduce exactly raises ``Uncompilable`` and the operation runs through
Strawberry instead. ``plan_below`` plans the selection set under one field for
looking ahead on Strawberry's path (gateway.graphql.look_ahead), where a field
that cannot be classified is only left out.
"""

from __future__ import annotations

import enum
import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.execution.collect_fields import FieldDetails, collect_fields, collect_subfields
from strawberry.types.field import StrawberryField

from gateway.graphql.relations import Relation, relations_of

BACKREF = "strawberry-definition"  # GraphQLCoreConverter.DEFINITION_BACKREF
MAX_DEPTH = 48
MAX_SELECTIONS = 2000

_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")


class Uncompilable(Exception):
    """The operation uses something the compiled path does not reproduce; Strawberry runs it."""


class Source(enum.Enum):
    TYPENAME = "typename"
    ATTRIBUTE = "attribute"
    """A basic Strawberry field: the attribute of the parent row."""
    RELATION = "relation"
    """A declared relation: loaded in the load phase through the request's DataLoader."""
    COMPUTED = "computed"
    """A resolver that needs neither ``info`` nor arguments: awaited in the load phase."""


@dataclass(eq=False, slots=True)
class PlannedField:
    key: str
    source: Source
    type: GraphQLOutputType | None = None
    type_name: str | None = None
    attribute: str | None = None
    relation: Relation | None = None
    strawberry_field: StrawberryField | None = None
    slot: int | None = None
    selection: Selection | None = None


@dataclass(eq=False, slots=True)
class Selection:
    """One selection set over one object type; becomes one generated function."""

    type_name: str
    index: int
    fields: list[PlannedField] = field(default_factory=list)
    _loading: list[PlannedField] | None = None

    @property
    def loading_fields(self) -> list[PlannedField]:
        """Fields the load phase must visit: relations, computed fields, and attributes with one of those below.

        An attribute's rows are walked only when something below them loads: a sync page's enrolments each hold
        a school, a delivery partner, a withdrawal and a deferral with nothing to load, 4,000 rows walked for
        nothing. Found once (the load phase asks on every request), once the planner has finished the selection."""
        if self._loading is None:
            self._loading = [
                f
                for f in self.fields
                if f.source in (Source.RELATION, Source.COMPUTED)
                or (f.selection is not None and f.selection.loading_fields)
            ]
        return self._loading


@dataclass(eq=False, slots=True)
class RootField:
    key: str
    field_def: GraphQLField | None
    """None for the root ``__typename``."""
    details: list[FieldDetails]
    type: GraphQLOutputType | None
    selection: Selection | None


@dataclass(eq=False, slots=True)
class Plan:
    root_type: GraphQLObjectType
    roots: list[RootField]
    selections: list[Selection]
    slots: int


def response_key(name: str) -> str:
    """A name that will appear in generated source: it must be a GraphQL name as the parser validated it."""
    if not _NAME.fullmatch(name):
        raise Uncompilable(f"not a GraphQL name: {name[:40]!r}")
    return name


def python_attribute(name: str) -> str:
    if not name.isidentifier() or keyword.iskeyword(name) or name.startswith("__"):
        raise Uncompilable(f"not a plain attribute name: {name!r}")
    return name


class Planner:
    def __init__(self, schema: GraphQLSchema, *, default_resolver: Any) -> None:
        self.schema = schema
        self.default_resolver = default_resolver

    def plan(self, operation: OperationDefinitionNode, fragments: dict, variable_values: Any) -> Plan:
        if operation.operation.value != "query":
            raise Uncompilable(f"{operation.operation.value}")
        if operation.directives:
            raise Uncompilable("directives on the operation")
        root_type = self.schema.query_type
        assert root_type is not None
        build = _Build(self, fragments, variable_values, operation)
        collected = collect_fields(self.schema, fragments, variable_values, root_type, operation)
        if collected.new_defer_usages:
            raise Uncompilable("@defer")
        roots = [build.root_field(root_type, key, details) for key, details in collected.grouped_field_set.items()]
        return Plan(root_type=root_type, roots=roots, selections=build.selections, slots=build.slots)

    def plan_below(
        self,
        gql_type: GraphQLOutputType,
        details: list[FieldDetails],
        fragments: dict,
        variable_values: Any,
        operation: OperationDefinitionNode,
    ) -> tuple[Selection, int] | None:
        """The selection set below one resolved field and its number of slots, for loading ahead only.

        Loading ahead needs no exact projection, so a field this planner cannot classify is left
        out (nothing below it is loaded ahead) instead of failing the whole plan.
        """
        build = _Build(self, fragments, variable_values, operation, partial=True)
        try:
            selection = build._selection_for(gql_type, details, depth=1)
        except Uncompilable:
            return None
        return None if selection is None else (selection, build.slots)


class _Build:
    def __init__(
        self,
        planner: Planner,
        fragments: dict,
        variable_values: Any,
        operation: OperationDefinitionNode,
        *,
        partial: bool = False,
    ) -> None:
        self.schema = planner.schema
        self.partial = partial
        self.default_resolver = planner.default_resolver
        self.fragments = fragments
        self.variable_values = variable_values
        self.operation = operation
        self.selections: list[Selection] = []
        self.slots = 0

    def _slot(self) -> int:
        self.slots += 1
        return self.slots - 1

    def root_field(self, root_type: GraphQLObjectType, key: str, details: list[FieldDetails]) -> RootField:
        key = response_key(key)
        self._check_details(details)
        name = details[0].node.name.value
        if name == "__typename":
            return RootField(key=key, field_def=None, details=details, type=None, selection=None)
        if name.startswith("__"):
            raise Uncompilable("introspection")
        field_def = root_type.fields.get(name)
        if field_def is None or field_def.resolve is None:
            raise Uncompilable(f"root field without a resolver: {name}")
        strawberry_field = field_def.extensions.get(BACKREF)
        if not isinstance(strawberry_field, StrawberryField) or strawberry_field.extensions:
            raise Uncompilable(f"field extensions: {name}")
        selection = self._selection_for(field_def.type, details, depth=1)
        return RootField(key=key, field_def=field_def, details=details, type=field_def.type, selection=selection)

    def _check_details(self, details: list[FieldDetails]) -> None:
        for detail in details:
            if detail.defer_usage is not None or detail.fragment_variable_values is not None:
                raise Uncompilable("@defer or fragment variables")
            if detail.node.directives and any(d.name.value not in ("skip", "include") for d in detail.node.directives):
                raise Uncompilable("field directives other than @skip/@include")

    def _selection_for(self, gql_type: GraphQLOutputType, details: list[FieldDetails], depth: int) -> Selection | None:
        named = get_named_type(gql_type)
        if is_leaf_type(named):
            return None
        if is_abstract_type(named):
            raise Uncompilable(f"abstract type: {named.name}")
        if not is_object_type(named):
            raise Uncompilable(f"unexpected type: {named}")
        if depth > MAX_DEPTH:
            raise Uncompilable("selection nested too deeply")
        if named.is_type_of is not None:
            raise Uncompilable(f"is_type_of: {named.name}")
        if len(self.selections) >= MAX_SELECTIONS:
            raise Uncompilable("too many selection sets")
        selection = Selection(type_name=response_key(named.name), index=len(self.selections))
        self.selections.append(selection)
        collected = collect_subfields(self.schema, self.fragments, self.variable_values, self.operation, named, details)
        if collected.new_defer_usages:
            raise Uncompilable("@defer")
        for key, sub_details in collected.grouped_field_set.items():
            try:
                selection.fields.append(self._field(named, response_key(key), sub_details, depth))
            except Uncompilable:
                if not self.partial:
                    raise
        return selection

    def _field(self, parent: GraphQLObjectType, key: str, details: list[FieldDetails], depth: int) -> PlannedField:
        self._check_details(details)
        name = details[0].node.name.value
        if name == "__typename":
            return PlannedField(key=key, source=Source.TYPENAME, type_name=response_key(parent.name))
        if name.startswith("__"):
            raise Uncompilable("introspection")
        field_def = parent.fields.get(name)
        if field_def is None:
            raise Uncompilable(f"unknown field: {parent.name}.{name}")
        if field_def.args or details[0].node.arguments:
            raise Uncompilable(f"nested field with arguments: {parent.name}.{name}")
        definition = field_def.extensions.get(BACKREF)
        if not isinstance(definition, StrawberryField) or definition.extensions:
            raise Uncompilable(f"field extensions: {parent.name}.{name}")
        if type(definition).get_result is not StrawberryField.get_result:
            raise Uncompilable(f"own get_result: {parent.name}.{name}")
        planned = PlannedField(key=key, source=Source.ATTRIBUTE, type=field_def.type)
        declared = relations_of(definition)
        if declared is not None:
            planned.source = Source.RELATION
            planned.relation = declared
            planned.attribute = python_attribute(declared.key)
            if declared.attribute is not None:
                python_attribute(declared.attribute)  # it will appear in generated source
            planned.slot = self._slot()
        elif definition.base_resolver is None:
            if self.default_resolver is not getattr:
                raise Uncompilable("a custom default resolver")
            planned.attribute = python_attribute(definition.python_name)
        else:
            resolver = definition.base_resolver
            if resolver.info_parameter is not None or resolver.arguments:
                raise Uncompilable(f"resolver needs info or arguments: {parent.name}.{name}")
            planned.source = Source.COMPUTED
            planned.strawberry_field = definition
            planned.slot = self._slot()
        planned.selection = self._selection_for(field_def.type, details, depth + 1)
        return planned


def list_depth(gql_type: GraphQLOutputType) -> int:
    depth = 0
    while True:
        if is_non_null_type(gql_type):
            gql_type = gql_type.of_type
        elif is_list_type(gql_type):
            depth += 1
            gql_type = gql_type.of_type
        else:
            return depth
