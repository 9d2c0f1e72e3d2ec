"""Compiled execution of read operations: plan once per document, then load and project.

``CompiledExecutor.execute`` answers a query operation the way Strawberry's
normal execution would, byte for byte, or returns None to let Strawberry run
it (mutations, subscriptions, introspection, invalid documents, bad variables,
fields that need ``info``, anything unusual met while loading or projecting).
Root fields run through their Strawberry resolvers exactly as graphql-core
calls them (coerced arguments, a real ``info``); their errors are located and
coded like the normal path's (``gateway.graphql.errors.coded``).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

from graphql import GraphQLError, get_operation_ast, is_non_null_type, located_error, parse, specified_rules
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.http import GraphQLRequestData
from strawberry.schema.schema import validate_document
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from gateway import metrics
from gateway.config import get_settings
from gateway.graphql.compiled.cache import (
    MAX_VARIANTS,
    BoundedCache,
    CompiledDocument,
    directive_variables,
    is_uncompilable,
    uncompilable,
)
from gateway.graphql.compiled.codegen import generate
from gateway.graphql.compiled.loading import Loader, rows_of
from gateway.graphql.compiled.planner import Plan, Planner, Uncompilable
from gateway.graphql.errors import ErrorCodes, coded

log = logging.getLogger("gateway.graphql.compiled")

# Extensions whose effect the compiled path reproduces (caching, error codes); any other disables it.
TRANSPARENT_EXTENSIONS = (ParserCache, ValidationCache, ErrorCodes)


@dataclass(eq=False, slots=True)
class CompiledPlan:
    plan: Plan
    project: Any
    source: str


class CompiledExecutor:
    def __init__(self, schema: Any, *, maxsize: int = 1024) -> None:
        self.schema = schema
        self.documents: BoundedCache[Any] = BoundedCache(maxsize)
        self.planner = Planner(schema._schema, default_resolver=schema.config.default_resolver)
        self.outcomes: Counter[str] = Counter()
        self.unsupported_schema = _unsupported_schema(schema)
        if self.unsupported_schema:
            log.warning("compiled execution disabled: %s", self.unsupported_schema)

    @classmethod
    def from_settings(cls, schema: Any) -> CompiledExecutor | None:
        """An executor, unless ``GATEWAY_COMPILED_EXECUTION=0`` turned compiled execution off (for diagnosis)."""
        return cls(schema) if get_settings().compiled_execution else None

    async def execute(
        self, request: GraphQLRequestData, context: Any, root_value: Any, allowed_operation_types: set[OperationType]
    ) -> ExecutionResult | None:
        """The result, or None when Strawberry should run this operation.

        Its data may hold datetimes in UTC, dates and UUIDs where the normal path has their text: encoded by
        ``gateway.responses.dumps``, the bytes are the same (gateway.graphql.compiled.codegen)."""
        query, variables, operation_name = request.query, request.variables, request.operation_name
        if self.unsupported_schema or not query or OperationType.QUERY not in allowed_operation_types:
            return self._fallback("not applicable")
        document = self._document(query, operation_name)
        if is_uncompilable(document):
            return self._fallback(document.reason)
        executor = self.schema.execution_context_class.build(
            self.schema._schema,
            document.document,
            root_value,
            context,
            variables,
            operation_name,
            operation_extensions=request.extensions,
        )
        if isinstance(executor, list):  # variables that do not coerce: Strawberry reports them
            return self._fallback("variables")
        compiled = self._variant(document, executor)
        if is_uncompilable(compiled):
            return self._fallback(compiled.reason)
        result = await _Run(self.schema, compiled, executor, context).result()
        self.outcomes["compiled" if result is not None else "fallback: load or projection"] += 1
        return result

    def _fallback(self, reason: str) -> ExecutionResult | None:
        # Counted by kind only: the detail after a colon may quote the document, and this counter must stay small.
        self.outcomes[f"fallback: {reason.split(':')[0]}"] += 1
        return None

    def _document(self, query: str, operation_name: str | None) -> Any:
        key = (query, operation_name)
        found = self.documents.get(key)
        if found is None:
            found = self._prepare(query, operation_name)
            self.documents.put(key, found)
        return found

    def _prepare(self, query: str, operation_name: str | None) -> Any:
        try:
            document = parse(query)
        except GraphQLError:
            return uncompilable("syntax")
        if validate_document(self.schema._schema, document, tuple(specified_rules)):
            return uncompilable("invalid")
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            return uncompilable("no such operation")
        if operation.operation.value != "query":
            return uncompilable(operation.operation.value)
        return CompiledDocument(
            document=document, operation=operation, directive_variables=directive_variables(document)
        )

    def _variant(self, document: CompiledDocument, executor: Any) -> Any:
        key = document.variant_key(executor.variable_values.coerced)
        compiled = document.variants.get(key)
        metrics.compiled_plan_cache(hit=compiled is not None)
        if compiled is not None:
            return compiled
        if len(document.variants) >= MAX_VARIANTS:
            return uncompilable("too many directive variants")
        try:
            plan = self.planner.plan(executor.operation, executor.fragments, executor.variable_values)
            project, source = generate(plan)
            compiled = CompiledPlan(plan=plan, project=project, source=source)
        except Uncompilable as exc:
            compiled = uncompilable(str(exc))
        except (GraphQLError, RecursionError) as exc:  # e.g. a null @include condition: Strawberry reports it
            compiled = uncompilable(type(exc).__name__)
        document.variants[key] = compiled
        return compiled


def _extension_class(extension: Any) -> type:
    """A schema extension's class, whether the schema was given the class, an instance or a ``partial`` of it."""
    if isinstance(extension, type):
        return extension
    if isinstance(extension, partial) and isinstance(extension.func, type):
        return extension.func
    return type(extension)  # an instance, or a factory the compiled path cannot see through (a lambda)


def _unsupported_schema(schema: Any) -> str | None:
    for extension in schema.extensions:
        kind = _extension_class(extension)
        if not issubclass(kind, TRANSPARENT_EXTENSIONS):
            return f"extension {kind.__name__}"
    if schema.directives:
        return "schema directives"
    if schema.config.enable_experimental_incremental_execution:
        return "incremental execution"
    return None


class _Run:
    """One request on the compiled path."""

    def __init__(self, schema: Any, compiled: CompiledPlan, executor: Any, context: Any) -> None:
        self.schema = schema
        self.compiled = compiled
        self.plan = compiled.plan
        self.executor = executor
        self.context = context

    async def result(self) -> ExecutionResult | None:
        plan = self.plan
        values, errors, null_data = await self._roots()
        if null_data and len(plan.roots) > 1:
            return None  # graphql-core cancels the sibling root fields: let it decide what they report
        data: dict[str, Any] | None = None
        if not null_data:
            state: list[Any] = [None] * plan.slots
            try:
                frontier = [
                    (root.selection, rows)
                    for root, value in zip(plan.roots, values, strict=True)
                    if root.selection is not None and (rows := rows_of(value, root.type))  # type: ignore[arg-type]  # graphql-core's field definitions: typed and resolvable for every root field the planner accepts
                ]
                await Loader(self.context.loaders, state, self.schema).load(frontier)
                data = self.compiled.project(values, state)
            except Exception:  # noqa: BLE001 - Strawberry answers and reports whatever went wrong
                return None
        if errors:
            self.schema.process_errors(errors, None)
            request_id = getattr(self.context, "request_id", "-")
            errors = [coded(error, request_id) for error in errors]
        return ExecutionResult(data=data, errors=errors or None, extensions={})

    async def _roots(self) -> tuple[list[Any], list[GraphQLError], bool]:
        executor, plan = self.executor, self.plan
        root_type = plan.root_type
        values: list[Any] = [None] * len(plan.roots)
        failures: dict[int, Exception] = {}
        pending: list[tuple[int, Any]] = []
        for position, root in enumerate(plan.roots):
            if root.field_def is None:
                continue
            nodes = [detail.node for detail in root.details]
            path = Path(None, root.key, root_type.name)
            info = executor.build_resolve_info(root.field_def, nodes, root_type, path)
            try:
                args = (
                    get_argument_values(
                        root.field_def, nodes[0], executor.variable_values, None, executor.hide_suggestions
                    )
                    if root.field_def.args or nodes[0].arguments
                    else {}
                )
                result = root.field_def.resolve(executor.root_value, info, **args)  # type: ignore[misc]  # graphql-core's field definitions: typed and resolvable for every root field the planner accepts
            except Exception as exc:  # noqa: BLE001 - a field error, reported like graphql-core does
                failures[position] = exc
                continue
            if executor.is_awaitable(result):
                pending.append((position, result))
            else:
                values[position] = result
        if pending:
            settled = await asyncio.gather(*(awaitable for _, awaitable in pending), return_exceptions=True)
            for (position, _), outcome in zip(pending, settled, strict=True):
                if isinstance(outcome, BaseException) and not isinstance(outcome, Exception):
                    raise outcome
                values[position] = outcome
        for position, value in enumerate(values):
            if isinstance(value, Exception):
                failures[position] = value
        errors: list[GraphQLError] = []
        null_data = False
        for position in sorted(failures):
            root = plan.roots[position]
            values[position] = None
            nodes = [detail.node for detail in root.details]
            errors.append(located_error(failures[position], nodes, [root.key]))
            if root.type is not None and is_non_null_type(root.type):
                null_data = True
        return values, errors, null_data
