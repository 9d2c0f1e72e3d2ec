"""Relation fields, declared once: which loader, keyed by which attribute of the parent.

The declaration is data (``Relation``, kept in the field's metadata) and the
resolver is made from it, so other execution paths (a planner that batches a
whole level with ``load_many``) read the same declaration instead of a copy.

The resolver is a plain function, not a coroutine: when looking ahead
(gateway.graphql.look_ahead) already loaded the value it returns it, so
graphql-core completes the field synchronously; otherwise it returns the
DataLoader's future, which graphql-core awaits. Strawberry only wraps a
resolver in a coroutine when the resolver itself is one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import strawberry
from aiodataloader import DataLoader

from gateway.graphql.context import Info
from gateway.graphql.loaders import Loaders

RELATION = "gateway.relation"
LIST_BOUND = "gateway.list_bound"
PAGE = "page"
"""The bound of a connection's ``edges``: the page size its field was asked for (``first``, or its default)."""


@dataclass(frozen=True, slots=True)
class Relation:
    loader: Callable[[Loaders], DataLoader]
    key: str
    many: bool = False
    """True when the loader returns a list per key (one-to-many)."""
    key_list: bool = False
    """True when the parent's attribute is itself a list of keys (``load_many``)."""
    attribute: str | None = None
    """The field is this attribute of the loaded value (facts read apart from the parent row, such as a
    school's cohort flags), instead of the loaded value itself. Only for one-to-one relations."""

    def resolver(self) -> Callable[..., Any]:
        loader, key, many, key_list, attribute = self.loader, self.key, self.many, self.key_list, self.attribute
        if attribute is not None:
            assert not (many or key_list), "an attribute of a one-to-one relation only"
            return self._attribute_resolver(attribute)

        def resolve(root: Any, info: Info) -> Any:
            value = getattr(root, key)
            if value is None:
                return [] if many or key_list else None
            context = info.context
            dataloader = loader(context.loaders)
            loaded = context.loaded.get(dataloader)
            if key_list:
                if loaded is not None and all(k in loaded for k in value):
                    return [found for found in map(loaded.__getitem__, value) if found is not None]
                return _present(dataloader.load_many(value))
            if loaded is not None:
                found = loaded.get(value, _NOT_LOADED)
                if found is not _NOT_LOADED:
                    return found
            return dataloader.load(value)

        return resolve

    def _attribute_resolver(self, attribute: str) -> Callable[..., Any]:
        loader, key = self.loader, self.key

        def resolve(root: Any, info: Info) -> Any:
            value = getattr(root, key)
            if value is None:
                return None
            context = info.context
            dataloader = loader(context.loaders)
            loaded = context.loaded.get(dataloader)
            if loaded is not None:
                found = loaded.get(value, _NOT_LOADED)
                if found is not _NOT_LOADED:
                    return None if found is None else getattr(found, attribute)
            return _attribute_of(dataloader.load(value), attribute)

        return resolve


_NOT_LOADED = object()


async def _attribute_of(loading: Awaitable[Any], attribute: str) -> Any:
    found = await loading
    return None if found is None else getattr(found, attribute)


async def _present(loading: Awaitable[list[Any]]) -> list[Any]:
    return [found for found in await loading if found is not None]


def relation(
    loader: Callable[[Loaders], DataLoader],
    *,
    key: str,
    many: bool = False,
    key_list: bool = False,
    bound: int | None = None,
    attribute: str | None = None,
    description: str,
) -> Any:
    """``bound``: for a list relation, the most rows one parent is expected to have (gateway.graphql.cost)."""
    if (many or key_list) != (bound is not None):
        raise ValueError("a list relation declares its bound (and only a list relation does)")
    declared = Relation(loader=loader, key=key, many=many, key_list=key_list, attribute=attribute)
    metadata: dict[str, Any] = {RELATION: declared}
    if bound is not None:
        metadata[LIST_BOUND] = bound
    return strawberry.field(resolver=declared.resolver(), description=description, metadata=metadata)


def relations_of(field: Any) -> Relation | None:
    return (getattr(field, "metadata", None) or {}).get(RELATION)


def list_bound(bound: int | str) -> dict[str, int | str]:
    """Field metadata for a list field that is not a relation: the most items one parent is expected to have.

    The cost estimate (gateway.graphql.cost) multiplies a document's lists by these bounds; ``PAGE`` says the
    list is a page, as long as the ``first`` of the field that returned it.
    """
    return {LIST_BOUND: bound}


def list_bound_of(field: Any) -> int | str | None:
    return (getattr(field, "metadata", None) or {}).get(LIST_BOUND)
