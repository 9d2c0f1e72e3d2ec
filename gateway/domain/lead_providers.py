"""Lead providers: the organisations calling the API. A provider sees itself; analysts and DfE finance see all."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import LeadProvider, table_of
from gateway.domain.callers import Caller
from gateway.domain.keys import chunked, key_in

_lead_providers = table_of(LeadProvider)


@dataclass(frozen=True, slots=True)
class LeadProviderRow:
    id: uuid.UUID
    name: str
    created_at: datetime
    updated_at: datetime


_COLUMNS = [_lead_providers.c[name] for name in LeadProviderRow.__dataclass_fields__]


def _all() -> Select:
    return select(*_COLUMNS)


def _visible_to(caller: Caller) -> Select:
    if caller.reads_everything:
        return _all()
    return _all().where(_lead_providers.c.id == caller.require_lead_provider())


async def list_lead_providers(conn: AsyncConnection, caller: Caller) -> list[LeadProviderRow]:
    stmt = _visible_to(caller).order_by(_lead_providers.c.name, _lead_providers.c.id)
    return [LeadProviderRow(*r) for r in await conn.execute(stmt)]


async def lead_providers_by_id(
    conn: AsyncConnection, caller: Caller, ids: Sequence[uuid.UUID], *, visible_only: bool = False
) -> dict[uuid.UUID, LeadProviderRow]:
    """Lead providers by id. Relations (a declaration's or a statement's provider) reach any provider the
    related record names, as its published ``lead_provider_name`` already does; ``visible_only`` restricts
    to the ones the caller may list."""
    base = _visible_to(caller) if visible_only else _all()
    found: dict[uuid.UUID, LeadProviderRow] = {}
    for chunk in chunked(ids):
        for r in await conn.execute(base.where(key_in(conn, _lead_providers.c.id, chunk))):
            found[r.id] = LeadProviderRow(*r)
    return found
