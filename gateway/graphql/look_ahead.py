"""Looking ahead on Strawberry's normal execution: each selected relation level loaded once, before the rows are walked.

When a root field of a query has resolved, the selection set below it is
planned with the compiled path's planner (a field it cannot plan is simply not
loaded ahead) and loaded with its ``Loader``: level by level, one ``load_many``
per DataLoader, through the request's own DataLoaders. What they returned is
kept in the request's context (``Context.loaded``, per loader and key), where
the relation resolvers (gateway.graphql.relations) find it and answer
synchronously instead of creating a future per row. Whatever is not loaded
ahead (a field left out of the plan, a failed batch) the resolver loads itself,
as it would without looking ahead. The DataLoaders stay the only source of the
values and of their scoping, so the answer is the same, byte for byte, with one
exception: when several fields of one answer fail, their errors are listed in
the order of the answer, no longer in the order their futures happened to settle.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from typing import Any
from weakref import WeakKeyDictionary

from graphql import GraphQLOutputType, GraphQLResolveInfo, GraphQLSchema, OperationType
from graphql.execution.collect_fields import FieldDetails
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from gateway.graphql.compiled.loading import Loader, rows_of
from gateway.graphql.compiled.planner import PlannedField, Planner, Selection, Source
from gateway.graphql.context import Context

log = logging.getLogger("gateway.graphql.look_ahead")

_planners: WeakKeyDictionary[GraphQLSchema, Planner] = WeakKeyDictionary()


class LookAheadExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """Strawberry's execution context, loading ahead below each root field of a query once it has resolved.

    graphql-core completes a field here when its resolver returned an awaitable: every
    root resolver but ``me`` (a plain function, so nothing below it is loaded ahead).
    Nested fields answered from loaded values never come here at all.
    """

    async def complete_awaitable_value(
        self,
        return_type: GraphQLOutputType,
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Any,
        position_context: Any,
    ) -> Any:
        if (
            path.prev is None
            and self.operation.operation is OperationType.QUERY
            and isinstance(self.context_value, Context)
        ):
            result = self._loaded_ahead(result, return_type, field_details_list)
        return await super().complete_awaitable_value(
            return_type, field_details_list, info, path, result, position_context
        )

    async def _loaded_ahead(self, result: Awaitable[Any], return_type: GraphQLOutputType, details: Any) -> Any:
        value = await result  # the root resolver's own errors reach graphql-core unchanged
        if value is not None and not isinstance(value, Exception):
            await load_ahead(self, value, return_type, list(details))
        return value


async def load_ahead(executor: Any, value: Any, gql_type: GraphQLOutputType, details: list[FieldDetails]) -> None:
    """Load every relation level selected below a field resolved to ``value``, into the request's ``Context.loaded``."""
    context: Context = executor.context_value
    schema = executor.schema._strawberry_schema
    relations: list[PlannedField] = []
    state: list[Any] = []
    try:
        planned = _planner(executor.schema, schema).plan_below(
            gql_type, details, executor.fragments, executor.variable_values, executor.operation
        )
        if planned is not None:
            selection, slots = planned
            relations = _relations(selection)
            rows = rows_of(value, gql_type) if relations else []
            if rows:
                state = [None] * slots
                await Loader(context.loaders, state, schema, computed=False).load([(selection, rows)])
    except Exception:  # whatever is not loaded ahead, its resolvers load (and report) themselves
        log.debug("looking ahead stopped", exc_info=True)
    for relation in relations:
        loaded = state[relation.slot] if state else None  # type: ignore[index]  # the planner gives every relation it plans a slot
        if loaded is not None:
            assert relation.relation is not None
            context.loaded.setdefault(relation.relation.loader(context.loaders), {}).update(loaded)


def _planner(graphql_schema: GraphQLSchema, schema: Any) -> Planner:
    planner = _planners.get(graphql_schema)
    if planner is None:
        planner = _planners[graphql_schema] = Planner(graphql_schema, default_resolver=schema.config.default_resolver)
    return planner


def _relations(selection: Selection) -> list[PlannedField]:
    """The planned relations at every level below ``selection``."""
    found: list[PlannedField] = []
    pending = [selection]
    while pending:
        for planned in pending.pop().fields:
            if planned.source is Source.RELATION:
                found.append(planned)
            if planned.selection is not None and planned.source is not Source.COMPUTED:
                pending.append(planned.selection)
    return found
