"""Projection: one generated Python function per selection set, building the response dictionary.

Safety of the generated source: the only text from a document that reaches it
is a GraphQL name the parser validated (response keys and type names, checked
again against the name grammar by the planner), written with ``repr``; Python
attribute names come from the schema and are checked to be plain identifiers.
Everything else (serialisers, enum tables, the per-request loaded values)
travels as objects in the function's namespace or as its arguments, never as
text. Argument values, string literals and variable values never reach this
module at all: the root resolvers receive them at run time.

Leaves that orjson writes exactly as the scalar would are left as objects, for
``gateway.responses.dumps`` (which encodes every answer) to write: a datetime in UTC for ``DateTime`` (orjson's ``Z`` to the second is
``scalars._serialize``'s text), a date for ``Date``, a ``uuid.UUID`` for ``ID``. Any other value of
those types (another zone, naive, a subclass such as asyncpg's UUID) is converted here, as before.

Anything the projection cannot complete exactly as graphql-core would (a null
in a non-null position, a value a scalar cannot represent, something that is
not a list where a list is declared) raises ``ProjectionFailed``; the executor
then answers the request through Strawberry, which reports it as the GraphQL
specification says.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from enum import Enum
from itertools import count
from typing import Any

import orjson
from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLID,
    GraphQLInt,
    GraphQLOutputType,
    GraphQLString,
    Undefined,
    is_leaf_type,
    is_list_type,
    is_non_null_type,
    is_object_type,
)
from graphql.pyutils import is_iterable
from strawberry.schema.types.base_scalars import DateDefinition

from gateway.graphql import scalars
from gateway.graphql.compiled.planner import Plan, PlannedField, RootField, Selection, Source, python_attribute
from gateway.responses import ORJSON_OPTIONS

# orjson writes an aware UTC datetime as rfc3339() does only with both options: "Z", and no fraction.
_ORJSON_WRITES_RFC3339 = ORJSON_OPTIONS & (orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS) == (
    orjson.OPT_UTC_Z | orjson.OPT_OMIT_MICROSECONDS
)

_sources = count()


class ProjectionFailed(Exception):
    """The compiled projection met a value it cannot complete exactly like graphql-core."""


def _null() -> Any:
    raise ProjectionFailed("null in a non-null position")


def _as_list(value: Any) -> Any:
    if value.__class__ is list:
        return value
    if is_iterable(value):
        return list(value)
    raise ProjectionFailed("not a list")


def _leaf(coerce: Callable[[Any], Any], value: Any) -> Any:
    coerced = coerce(value)
    if coerced is None or coerced is Undefined:
        raise ProjectionFailed("a leaf value that cannot be represented")
    return coerced


def _lookup(found: dict, obj: Any) -> Any:
    entry = found.get(id(obj))
    if entry is None or entry[0] is not obj:
        raise ProjectionFailed("computed value missing")
    return entry[1]


class _Writer:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {
            "_null": _null,
            "_as_list": _as_list,
            "_leaf": _leaf,
            "_lookup": _lookup,
            "_UUID": uuid.UUID,
            "_datetime": datetime,
            "_date": date,
            "_UTC": UTC,
        }
        self._constants: dict[int, str] = {}
        self._names = count()

    def constant(self, value: Any) -> str:
        """A name bound to ``value`` in the generated module's namespace."""
        name = self._constants.get(id(value))
        if name is None:
            name = f"_c{next(self._names)}"
            self._constants[id(value)] = name
            self.namespace[name] = value
        return name

    def fresh(self) -> str:
        return f"_v{next(self._names)}"

    def leaf(self, var: str, leaf_type: GraphQLOutputType) -> str:
        serialize = leaf_type.coerce_output_value  # type: ignore[union-attr]  # a leaf field's named type is a scalar or an enum, which coerce
        coerce = self.constant(serialize)
        if leaf_type is GraphQLString:
            return f"({var} if {var}.__class__ is str else _leaf({coerce}, {var}))"
        if leaf_type is GraphQLID:
            # A uuid.UUID is written by orjson (in C, as str() would); asyncpg's subclass of it is not, and str()
            # here is cheaper than orjson calling responses._default for it.
            return (
                f"({var} if {var}.__class__ is str or {var}.__class__ is _UUID else "
                f"str({var}) if isinstance({var}, _UUID) else _leaf({coerce}, {var}))"
            )
        if serialize is scalars._serialize and _ORJSON_WRITES_RFC3339:
            # Only a datetime in UTC: rfc3339() converts any other zone first (and a naive value by local time).
            return f"({var} if {var}.__class__ is _datetime and {var}.tzinfo is _UTC else _leaf({coerce}, {var}))"
        if serialize is DateDefinition.serialize:
            # Only a date itself: a datetime is a date too, and its isoformat() is not orjson's.
            return f"({var} if {var}.__class__ is _date else _leaf({coerce}, {var}))"
        if leaf_type is GraphQLBoolean:
            return f"({var} if {var}.__class__ is bool else _leaf({coerce}, {var}))"
        if leaf_type is GraphQLInt:
            return (
                f"({var} if {var}.__class__ is int and -2147483648 <= {var} <= 2147483647 else _leaf({coerce}, {var}))"
            )
        if isinstance(leaf_type, GraphQLEnumType):
            wrapped = getattr(leaf_type, "wrapped_cls", None)
            if isinstance(wrapped, type) and issubclass(wrapped, Enum):
                # Members of the wrapped enum, and plain strings equal to a value, serialise to a fixed name:
                # both tables are computed once, here, by the type's own serialiser.
                names = {member: leaf_type.coerce_output_value(member) for member in wrapped}
                texts = {
                    value: leaf_type.coerce_output_value(value)
                    for value in leaf_type._value_lookup
                    if value.__class__ is str
                }
                table, cls, text_table = self.constant(names), self.constant(wrapped), self.constant(texts)
                return (
                    f"({table}[{var}] if {var}.__class__ is {cls} else "
                    f"{text_table}[{var}] if {var}.__class__ is str and {var} in {text_table} else _leaf({coerce}, {var}))"
                )
        return f"_leaf({coerce}, {var})"

    def value(self, var: str, gql_type: GraphQLOutputType, selection: Selection | None) -> str:
        """An expression completing ``var`` (already evaluated) as a value of ``gql_type``."""
        if is_non_null_type(gql_type):
            return f"({self._present(var, gql_type.of_type, selection)} if {var} is not None else _null())"
        return f"(None if {var} is None else {self._present(var, gql_type, selection)})"

    def _present(self, var: str, gql_type: GraphQLOutputType, selection: Selection | None) -> str:
        if is_list_type(gql_type):
            item = self.fresh()
            return f"[{self.value(item, gql_type.of_type, selection)} for {item} in _as_list({var})]"
        if is_leaf_type(gql_type):
            return self.leaf(var, gql_type)
        if is_object_type(gql_type) and selection is not None:
            return f"_p{selection.index}({var}, S)"
        raise AssertionError(f"unplanned type {gql_type}")


def _field_lines(writer: _Writer, planned: PlannedField, result: str) -> list[str]:
    if planned.source is Source.TYPENAME:
        return [f"{result} = {planned.type_name!r}"]
    value = writer.fresh()
    lines: list[str]
    if planned.source is Source.ATTRIBUTE:
        lines = [f"{value} = o.{planned.attribute}"]
    elif planned.source is Source.COMPUTED:
        lines = [f"{value} = _lookup(S[{planned.slot}], o)"]
    else:
        relation = planned.relation
        assert relation is not None
        key = writer.fresh()
        lines = [f"{key} = o.{planned.attribute}"]
        if relation.key_list:
            item = writer.fresh()
            lines.append(
                f"{value} = [] if {key} is None else "
                f"[{item} for {item} in map(S[{planned.slot}].__getitem__, {key}) if {item} is not None]"
            )
        elif relation.many:
            lines.append(f"{value} = [] if {key} is None else S[{planned.slot}][{key}]")
        else:
            lines.append(f"{value} = None if {key} is None else S[{planned.slot}][{key}]")
            if relation.attribute is not None:
                lines.append(f"{value} = None if {value} is None else {value}.{python_attribute(relation.attribute)}")
    assert planned.type is not None
    lines.append(f"{result} = {writer.value(value, planned.type, planned.selection)}")
    return lines


def _function(name: str, params: str, body: list[str], keys: list[str], results: list[str]) -> str:
    entries = ", ".join(f"{key!r}: {result}" for key, result in zip(keys, results, strict=True))
    lines = [f"def {name}({params}):", *(f"    {line}" for line in body), f"    return {{{entries}}}"]
    return "\n".join(lines)


def _selection_source(writer: _Writer, selection: Selection) -> str:
    body: list[str] = []
    results: list[str] = []
    for planned in selection.fields:
        result = writer.fresh()
        body.extend(_field_lines(writer, planned, result))
        results.append(result)
    return _function(f"_p{selection.index}", "o, S", body, [f.key for f in selection.fields], results)


def _root_source(writer: _Writer, roots: list[RootField], root_type_name: str) -> str:
    body: list[str] = []
    results: list[str] = []
    for position, root in enumerate(roots):
        result = writer.fresh()
        if root.field_def is None:
            body.append(f"{result} = {root_type_name!r}")
        else:
            value = writer.fresh()
            assert root.type is not None
            body.append(f"{value} = R[{position}]")
            body.append(f"{result} = {writer.value(value, root.type, root.selection)}")
        results.append(result)
    return _function("_root", "R, S", body, [r.key for r in roots], results)


def generate(plan: Plan) -> tuple[Callable[[list[Any], list[Any]], dict[str, Any]], str]:
    """The root projection function of ``plan`` (and its source, for diagnosis)."""
    writer = _Writer()
    parts = [_selection_source(writer, selection) for selection in plan.selections]
    parts.append(_root_source(writer, plan.roots, plan.root_type.name))
    source = "\n\n".join(parts) + "\n"
    code = compile(source, f"<compiled graphql {next(_sources)}>", "exec")
    namespace = dict(writer.namespace)
    exec(code, namespace)
    return namespace["_root"], source
