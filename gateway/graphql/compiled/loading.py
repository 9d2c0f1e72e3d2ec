"""The load phase: every planned relation level through the request's DataLoaders, one ``load_many`` each.

Level by level: the rows of a level are walked synchronously (through plain
attribute fields such as a connection's edges and nodes), the keys of each
planned relation are collected, and all the level's ``load_many`` calls are
issued before any is awaited, so each DataLoader batches its keys into one
lookup. The loaded values are kept per planned field (``state[slot]``: key ->
value for relations, id(row) -> (row, value) for computed fields) for the
synchronous projection. The number of statements therefore depends on the
query's shape, not on how many rows each level holds.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterable
from typing import Any

from graphql import GraphQLOutputType, is_list_type, is_non_null_type
from strawberry.schema.schema_converter import get_arguments

from gateway.graphql.compiled.planner import PlannedField, Selection, Source
from gateway.graphql.loaders import Loaders


def rows_of(value: Any, gql_type: GraphQLOutputType) -> list[Any]:
    """The objects inside ``value`` (a row, or nested lists of rows) of a field typed ``gql_type``."""
    while is_non_null_type(gql_type):
        gql_type = gql_type.of_type
    if value is None:
        return []
    if not is_list_type(gql_type):
        return [value]
    found: list[Any] = []
    for item in value:
        found.extend(rows_of(item, gql_type.of_type))
    return found


def _unique(rows: Iterable[Any]) -> list[Any]:
    return list({id(row): row for row in rows}.values())


class Loader:
    def __init__(self, loaders: Loaders, state: list[Any], schema: Any, *, computed: bool = True) -> None:
        self.loaders = loaders
        self.state = state
        self.config = schema.config
        self.scalar_registry = schema.schema_converter.scalar_registry
        self.computed = computed
        """False: computed fields are neither called nor looked below (graphql-core will call them itself)."""

    async def load(self, frontier: list[tuple[Selection, list[Any]]]) -> None:
        while frontier:
            jobs: list[tuple[PlannedField, list[Any], Any]] = []
            pending = list(frontier)
            while pending:
                selection, rows = pending.pop()
                for planned in selection.loading_fields:
                    if planned.source is Source.ATTRIBUTE:
                        assert planned.selection is not None and planned.type is not None
                        children = _unique(
                            child
                            for row in rows
                            for child in rows_of(getattr(row, planned.attribute), planned.type)  # type: ignore[arg-type]  # the planner gives every relation it plans an attribute or a slot
                        )
                        if children:
                            pending.append((planned.selection, children))
                    elif planned.source is Source.RELATION:
                        jobs.append(self._relation(planned, rows))
                    elif self.computed:
                        jobs.append(self._computed(planned, rows))
            results = await asyncio.gather(*(job[2] for job in jobs))
            frontier = []
            for (planned, keys, _), values in zip(jobs, results, strict=True):
                if planned.source is Source.RELATION:
                    self.state[planned.slot] = dict(zip(keys, values, strict=True))  # type: ignore[index]  # the planner gives every relation it plans an attribute or a slot
                else:
                    self.state[planned.slot] = {id(row): (row, value) for row, value in zip(keys, values, strict=True)}  # type: ignore[index]  # the planner gives every relation it plans an attribute or a slot
                if planned.selection is not None:
                    assert planned.type is not None
                    item_type = planned.type
                    children = _unique(
                        child
                        for value in values
                        for child in (
                            rows_of(value, item_type)
                            if planned.source is Source.COMPUTED
                            else _loaded_rows(value, planned)
                        )
                    )
                    if children:
                        frontier.append((planned.selection, children))

    def _relation(self, planned: PlannedField, rows: list[Any]) -> tuple[PlannedField, list[Any], Any]:
        relation = planned.relation
        assert relation is not None and planned.attribute is not None
        keys: dict[Any, None] = {}
        for row in rows:
            value = getattr(row, planned.attribute)
            if value is None:
                continue
            if relation.key_list:
                keys.update(dict.fromkeys(value))
            else:
                keys[value] = None
        unique = list(keys)
        return planned, unique, relation.loader(self.loaders).load_many(unique) if unique else _nothing()

    def _computed(self, planned: PlannedField, rows: list[Any]) -> tuple[PlannedField, list[Any], Any]:
        definition = planned.strawberry_field
        assert definition is not None
        results = []
        for row in rows:
            args, kwargs = get_arguments(
                field=definition,
                source=row,
                info=None,  # type: ignore[arg-type]  # the planner gives every relation it plans an attribute or a slot
                kwargs={},
                config=self.config,
                scalar_registry=self.scalar_registry,
            )
            results.append(definition.get_result(row, None, args, kwargs))
        return planned, rows, _settle(results)


def _loaded_rows(value: Any, planned: PlannedField) -> list[Any]:
    """Rows a relation loaded for one key: a list for one-to-many relations, else a row or None."""
    if value is None:
        return []
    return list(value) if planned.relation is not None and planned.relation.many else [value]


async def _nothing() -> list[Any]:
    return []


async def _settle(results: list[Any]) -> list[Any]:
    awaitables = [(i, r) for i, r in enumerate(results) if inspect.isawaitable(r)]
    if awaitables:
        done = await asyncio.gather(*(r for _, r in awaitables))
        for (i, _), value in zip(awaitables, done, strict=True):
            results[i] = value
    return results
