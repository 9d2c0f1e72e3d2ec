"""Compiled documents, kept per (document, operation name) in a bounded least-recently-used cache.

A document is parsed and validated once. Its plan depends on the values of the
variables its ``@skip``/``@include`` directives read (field collection resolves
them), so each document keeps one compiled plan per combination of those values
it has met. What cannot be compiled is remembered as such (``UNCOMPILABLE``)
and not retried on every request.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from graphql import DirectiveNode, DocumentNode, OperationDefinitionNode, VariableNode, Visitor, visit

V = TypeVar("V")

MAX_VARIANTS = 32


class _Uncompilable:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"UNCOMPILABLE({self.reason})"


def uncompilable(reason: str) -> _Uncompilable:
    return _Uncompilable(reason)


def is_uncompilable(value: object) -> bool:
    return isinstance(value, _Uncompilable)


class BoundedCache(Generic[V]):
    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[Hashable, V] = OrderedDict()

    def get(self, key: Hashable) -> V | None:
        # A key built from client input (an operationName that is an object) may not hash: never kept, never found.
        try:
            hash(key)
        except TypeError:
            return None
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key: Hashable, value: V) -> None:
        try:
            hash(key)
        except TypeError:
            return
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.maxsize:
            self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)

    def clear(self) -> None:
        self._items.clear()


@dataclass(eq=False)
class CompiledDocument:
    document: DocumentNode
    operation: OperationDefinitionNode
    directive_variables: tuple[str, ...]
    variants: dict[tuple, Any] = field(default_factory=dict)

    def variant_key(self, coerced: dict[str, Any]) -> tuple:
        # The coerced values themselves (True, False or None), so a null never shares a plan with false.
        return tuple(coerced.get(name) for name in self.directive_variables)


class _DirectiveVariables(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: dict[str, None] = {}

    def enter_directive(self, node: DirectiveNode, *_args: Any) -> None:
        if node.name.value in ("skip", "include"):
            for argument in node.arguments or ():
                if isinstance(argument.value, VariableNode):
                    self.names[argument.value.name.value] = None


def directive_variables(document: DocumentNode) -> tuple[str, ...]:
    """Variables read by ``@skip``/``@include``: their values select the plan."""
    visitor = _DirectiveVariables()
    visit(document, visitor)
    return tuple(visitor.names)
