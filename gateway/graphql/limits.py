"""Every GraphQL document is checked once, before any resolver or SQL runs, and the outcome is kept with it.

In order, so that a hostile document costs as little as possible: its size in
bytes (before parsing), its tokens (graphql-core's parser stops at
``max_tokens``), then, once it parsed and validated: the depth of its
selections, its aliases, its root fields. What passes is kept (parsed,
validated, with its depth and price) per document and operation name in a
bounded cache; a refusal is kept as the refusal only, never the document.
Then, per request: its variables are coerced (a failure is a request error)
and its cost (gateway.graphql.cost) is checked against the caller's budget.

Both execution paths (compiled and Strawberry's) and mutations see only
documents that passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)
from graphql.execution.values import get_variable_values

from gateway.config import GraphQLLimits
from gateway.domain.callers import Caller
from gateway.graphql.compiled.cache import BoundedCache
from gateway.graphql.cost import CostModel, page_variables
from gateway.graphql.errors import coded
from gateway.graphql.refusals import REQUEST_TOO_LARGE, Refused, refused, too_complex

MAX_VALIDATION_ERRORS = 50
PRICES_PER_DOCUMENT = 64
"""Prices remembered per document, one per combination of its page-size variables' values."""
_ABSENT = object()


@dataclass(eq=False, slots=True)
class CheckedDocument:
    """A document that parsed, validated and kept within the per-document limits, with its chosen operation."""

    document: DocumentNode
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    depth: int
    fixed_cost: int | None
    """The price when no variable can change it (no variables at all); None: priced per request."""
    page_variables: tuple[str, ...] = ()
    """The variables the price depends on (gateway.graphql.cost.page_variables)."""
    prices: dict[tuple, int] = field(default_factory=dict)
    """Prices already estimated, by the values of ``page_variables``."""

    @property
    def is_mutation(self) -> bool:
        return self.operation.operation.value == "mutation"


class DocumentLimits:
    def __init__(self, schema: GraphQLSchema, limits: GraphQLLimits, *, maxsize: int = 512) -> None:
        self.schema = schema
        self.limits = limits
        self.cost_model = CostModel(schema)
        self.checked: BoundedCache[CheckedDocument | Refused] = BoundedCache(maxsize)

    def budget_for(self, caller: Caller) -> int:
        return self.limits.max_cost_reads_everything if caller.reads_everything else self.limits.max_cost

    def check(self, query: str, operation_name: str | None, request_id: str = "-") -> CheckedDocument:
        """The checked document, or ``Refused`` raised with why (kept, so a repeated refusal costs a lookup)."""
        size = len(query.encode("utf-8", "surrogatepass"))
        if size > self.limits.max_document_bytes:
            raise refused(
                f"The document is {size} bytes long, over the limit of {self.limits.max_document_bytes} bytes",
                REQUEST_TOO_LARGE,
                status=413,
                limit="document bytes",
                value=size,
                maximum=self.limits.max_document_bytes,
            )
        key = (query, operation_name)
        found = self.checked.get(key)
        if found is None:
            try:
                found = self._check(query, operation_name, request_id)
            except Refused as refusal:
                found = refusal
            self.checked.put(key, found)
        if isinstance(found, Refused):
            # The kept refusal is raised again and again: without this its traceback would grow with each raise.
            raise found.with_traceback(None) from None
        return found

    def price(self, checked: CheckedDocument, variables: dict[str, Any]) -> int:
        if checked.fixed_cost is not None:
            return checked.fixed_cost
        # The estimate reads no variable but the page sizes, so their values key its price: a client that
        # sends the same query with new ids pays for the estimate once (walking the document was a visible
        # part of a lookup's CPU). A client varying page sizes fills the memo and is then estimated each time.
        key = tuple(variables.get(name, _ABSENT) for name in checked.page_variables)
        price = checked.prices.get(key)  # hashable: validation lets only Int variables be a `first`
        if price is None:
            price = self._estimate(checked, variables)
            if len(checked.prices) < PRICES_PER_DOCUMENT:
                checked.prices[key] = price
        return price

    def coerce_variables(self, checked: CheckedDocument, variables: dict[str, Any] | None) -> dict[str, Any]:
        """The operation's variables as it will see them; values that do not coerce are a request error."""
        coerced = get_variable_values(
            self.schema, checked.operation.variable_definitions or (), variables or {}, max_errors=MAX_VALIDATION_ERRORS
        )
        if isinstance(coerced, list):
            raise _request_errors(coerced)
        return coerced.coerced

    def check_cost(self, checked: CheckedDocument, variables: dict[str, Any], caller: Caller) -> int:
        cost = self.price(checked, variables)
        budget = self.budget_for(caller)
        if cost > budget:
            raise too_complex(
                "cost",
                cost,
                budget,
                f"The document's estimated cost is {cost} objects, over the limit of {budget} "
                "(each list counts its `first` or declared bound, multiplied down the path)",
            )
        return cost

    def _check(self, query: str, operation_name: str | None, request_id: str) -> CheckedDocument:
        limits = self.limits
        try:
            document = parse(query, max_tokens=limits.max_tokens)
        except GraphQLError as error:
            if "more than" in error.message and "tokens" in error.message:
                raise too_complex(
                    "tokens",
                    None,
                    limits.max_tokens,
                    f"The document has more than {limits.max_tokens} tokens, the limit",
                ) from None
            if "nested too deeply" in error.message:  # graphql-core's parser bounds nesting by itself
                raise _nested_too_deeply(limits.max_depth) from None
            raise _request_errors([error], request_id) from None
        except RecursionError:
            raise _nested_too_deeply(limits.max_depth) from None
        errors = validate(self.schema, document, specified_rules, max_errors=MAX_VALIDATION_ERRORS)
        if errors:
            raise _request_errors(errors, request_id)
        operation = get_operation_ast(document, operation_name)
        if operation is None:
            message = (
                f'Unknown operation named "{operation_name}".'
                if operation_name
                else "Must provide operation name if query contains multiple operations."
            )
            raise Refused([{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}], json_status=200)
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        shape = _Shape(fragments)
        try:
            depth = shape.depth(operation.selection_set)
            root_fields = shape.root_fields(operation.selection_set, set())
        except RecursionError:
            raise _nested_too_deeply(limits.max_depth) from None
        if depth > limits.max_depth:
            raise too_complex(
                "depth",
                depth,
                limits.max_depth,
                f"The document is {depth} fields deep, over the limit of {limits.max_depth}",
            )
        aliases = _aliases(document)
        if aliases > limits.max_aliases:
            raise too_complex(
                "aliases",
                aliases,
                limits.max_aliases,
                f"The document has {aliases} aliases, over the limit of {limits.max_aliases}",
            )
        if root_fields > limits.max_root_fields:
            raise too_complex(
                "root fields",
                root_fields,
                limits.max_root_fields,
                f"The operation has {root_fields} root fields, over the limit of {limits.max_root_fields}",
            )
        checked = CheckedDocument(
            document=document,
            operation=operation,
            fragments=fragments,
            depth=depth,
            fixed_cost=None,
            page_variables=page_variables(document),
        )
        if not operation.variable_definitions:
            checked.fixed_cost = self._estimate(checked, {})
        return checked

    def _estimate(self, checked: CheckedDocument, variables: dict[str, Any]) -> int:
        root = self.schema.mutation_type if checked.is_mutation else self.schema.query_type
        assert root is not None
        return self.cost_model.estimate(root, checked.operation.selection_set, checked.fragments, variables)


def _nested_too_deeply(max_depth: int) -> Refused:
    return too_complex(
        "depth", None, max_depth, f"The document is nested too deeply (the limit is {max_depth} fields deep)"
    )


def _request_errors(errors: list[GraphQLError], request_id: str = "-") -> Refused:
    """Parse, validation and coercion failures: 400 under graphql-response+json, 200 under application/json."""
    return Refused([coded(error, request_id).formatted for error in errors], json_status=200)  # type: ignore[misc]  # GraphQLFormattedError is the TypedDict of these very dictionaries


class _Shape:
    """Depth and root fields of an operation, each fragment measured once."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.fragment_depths: dict[str, int] = {}

    def depth(self, selection_set: SelectionSetNode | None) -> int:
        """Fields on the longest path below: ``{ me { role } }`` is 2 deep."""
        if selection_set is None:
            return 0
        deepest = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                deepest = max(deepest, 1 + self.depth(selection.selection_set))
            elif isinstance(selection, InlineFragmentNode):
                deepest = max(deepest, self.depth(selection.selection_set))
            elif isinstance(selection, FragmentSpreadNode):
                deepest = max(deepest, self.fragment_depth(selection.name.value))
        return deepest

    def fragment_depth(self, name: str) -> int:
        if name not in self.fragment_depths:
            definition = self.fragments.get(name)
            self.fragment_depths[name] = 0 if definition is None else self.depth(definition.selection_set)
        return self.fragment_depths[name]

    def root_fields(self, selection_set: SelectionSetNode, spread: set[str]) -> int:
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.root_fields(selection.selection_set, spread)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value not in spread:
                spread.add(selection.name.value)
                definition = self.fragments.get(selection.name.value)
                if definition is not None:
                    count += self.root_fields(definition.selection_set, spread)
        return count


def _aliases(document: DocumentNode) -> int:
    """Aliases written in the document (each once: the cost estimate prices how fragments multiply them)."""
    count = 0
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode) and node.alias is not None:
            count += 1
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return count
