"""The one way mutations run a domain action and report its errors.

A mutation's payload carries the changed object (or null) and
``errors: [{attribute, message}]`` with the same texts as the REST 422s.
Anything else (not found, forbidden) is a GraphQL error with its code, as for reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.engine import write_transaction
from gateway.domain.errors import ValidationFailed
from gateway.graphql.context import Context

T = TypeVar("T")


@strawberry.type(description="Why an action was refused: the attribute at fault and the published message.")
class UserError:
    attribute: str = strawberry.field(description="The attribute the message is about, as the REST API names it.")
    message: str = strawberry.field(description="The message, word for word as the REST API's 422 detail.")


async def run_action(
    context: Context, action: Callable[[AsyncConnection], Awaitable[T]]
) -> tuple[T | None, list[UserError]]:
    """Run ``action`` in its own transaction; a validation failure rolls it back and becomes ``errors``.

    Mutations of one document run one after another, each answering with what it changed: once an action
    is committed, what earlier fields loaded through the request's DataLoaders may be stale, so it is forgotten.
    """
    try:
        async with write_transaction() as conn:
            row = await action(conn)
    except ValidationFailed as failure:
        return None, [UserError(attribute=e.attribute, message=e.message) for e in failure.errors]
    context.forget_loaded()
    return row, []
