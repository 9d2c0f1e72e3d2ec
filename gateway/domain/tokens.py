"""API tokens: issued once in clear, stored only as a SHA-256 digest.

Listing and revoking (``gateway tokens list``, ``gateway tokens revoke``) name a token by its digest,
the only form the database holds: the clear token is never shown again after it is made.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import ApiToken, LeadProvider, RequestCount, table_of
from gateway.domain.callers import Caller
from gateway.domain.errors import DomainError, NotFound
from gateway.vocabulary import Role

_tokens = table_of(ApiToken)
_lead_providers = table_of(LeadProvider)
_request_counts = table_of(RequestCount)

SHORTEST_DIGEST_PREFIX = 8
"""A revocation names at least this many leading hex digits of a digest (``gateway tokens list`` shows 16)."""


# Built once: every authenticated request runs it, and building the expression cost about as much CPU as
# executing it (profiled under `gateway bench`).
_CALLER_OF_DIGEST = (
    select(_tokens.c.role, _tokens.c.lead_provider_id, _lead_providers.c.name)
    .select_from(_tokens.outerjoin(_lead_providers, _lead_providers.c.id == _tokens.c.lead_provider_id))
    .where(_tokens.c.token_digest == bindparam("digest", type_=_tokens.c.token_digest.type))
)


def digest(token: str) -> str:
    # Tokens are 256 random bits, so a plain SHA-256 cannot be brute-forced; no salt or slow hash needed.
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate(conn: AsyncConnection, token: str | None) -> Caller | None:
    """The caller a bearer token stands for, or None for a missing or unknown token."""
    if not token:
        return None
    row = (await conn.execute(_CALLER_OF_DIGEST, {"digest": digest(token)})).first()
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


@dataclass(frozen=True, slots=True)
class TokenSummary:
    """What may be shown of a stored token: never the token, which the database does not hold."""

    digest: str
    role: Role
    lead_provider_name: str | None
    description: str | None
    created_at: datetime


class AmbiguousDigest(DomainError):
    """A digest prefix that names more than one token (or too few digits to name one safely)."""


def _summaries():
    return select(
        _tokens.c.token_digest, _tokens.c.role, _lead_providers.c.name, _tokens.c.description, _tokens.c.created_at
    ).select_from(_tokens.outerjoin(_lead_providers, _lead_providers.c.id == _tokens.c.lead_provider_id))


def _summary(row) -> TokenSummary:
    return TokenSummary(
        digest=row.token_digest,
        role=Role(row.role),
        lead_provider_name=row.name,
        description=row.description,
        created_at=row.created_at,
    )


async def list_tokens(conn: AsyncConnection) -> list[TokenSummary]:
    """Every stored token, oldest first."""
    rows = await conn.execute(_summaries().order_by(_tokens.c.created_at, _tokens.c.token_digest))
    return [_summary(row) for row in rows]


async def revoke_token(conn: AsyncConnection, digest_prefix: str) -> TokenSummary:
    """Delete the one token whose digest starts with ``digest_prefix``: it authenticates no request after this.

    The row goes (with its rate-limit counter): a token is a credential, not something a provider
    submitted, and a revoked one must not be able to come back.
    """
    prefix = digest_prefix.strip().lower()
    if len(prefix) < SHORTEST_DIGEST_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise AmbiguousDigest(f"Name a token by at least {SHORTEST_DIGEST_PREFIX} hex digits of its digest")
    # LIKE on hex digits only (checked above), so the prefix holds no wildcard.
    rows = (await conn.execute(_summaries().where(_tokens.c.token_digest.like(f"{prefix}%")).limit(2))).all()
    if not rows:
        raise NotFound(f"No token with a digest starting {prefix}")
    if len(rows) > 1:
        raise AmbiguousDigest(f"More than one token has a digest starting {prefix}: give more digits")
    found = _summary(rows[0])
    token_id = select(_tokens.c.id).where(_tokens.c.token_digest == found.digest).scalar_subquery()
    await conn.execute(delete(_request_counts).where(_request_counts.c.api_token_id == token_id))
    await conn.execute(delete(_tokens).where(_tokens.c.token_digest == found.digest))
    return found
