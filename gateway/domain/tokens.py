"""API tokens: issued once in clear, stored only as a SHA-256 digest."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import ApiToken, LeadProvider
from gateway.domain.callers import Caller
from gateway.domain.errors import NotFound
from gateway.vocabulary import Role

_tokens = ApiToken.__table__
_lead_providers = LeadProvider.__table__


def digest(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 cannot be brute-forced; no salt or slow hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate(conn: AsyncConnection, token: str | None) -> Caller | None:
    """The caller a bearer token stands for, or None for a missing or unknown token."""
    if not token:
        return None
    row = (
        await conn.execute(
            select(_tokens.c.role, _tokens.c.lead_provider_id, _lead_providers.c.name)
            .select_from(_tokens.outerjoin(_lead_providers, _lead_providers.c.id == _tokens.c.lead_provider_id))
            .where(_tokens.c.token_digest == digest(token))
        )
    ).first()
    if row is None:
        return None
    return Caller(role=Role(row.role), lead_provider_id=row.lead_provider_id, lead_provider_name=row.name)


async def find_lead_provider_id(conn: AsyncConnection, name_or_id: str) -> uuid.UUID:
    try:
        condition = _lead_providers.c.id == uuid.UUID(name_or_id)
    except ValueError:
        condition = _lead_providers.c.name == name_or_id
    found = (await conn.execute(select(_lead_providers.c.id).where(condition))).scalar_one_or_none()
    if found is None:
        raise NotFound(f"No lead provider {name_or_id!r}")
    return found


async def create_token(
    conn: AsyncConnection, *, role: Role, lead_provider_id: uuid.UUID | None = None, description: str | None = None
) -> str:
    """Store a new token's digest and return the clear token; it is never shown again."""
    if (role is Role.LEAD_PROVIDER) != (lead_provider_id is not None):
        raise ValueError("a lead provider token needs a lead provider, and only it")
    token = secrets.token_urlsafe(32)
    await conn.execute(
        _tokens.insert().values(
            id=uuid.uuid4(),
            token_digest=digest(token),
            role=role.value,
            lead_provider_id=lead_provider_id,
            description=description,
        )
    )
    return token
