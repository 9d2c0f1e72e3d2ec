"""The published rate limit (domain.md section 2): requests per token in fixed five-minute windows.

The count lives in the database (``request_counts``), never in a worker's memory, so any number of
workers agree. The window reads the real clock, not ``gateway.clock``: sandbox time travel
(``X-With-Server-Date``) must not move a token into a fresh window.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Integer, String, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.types import UTCDateTime
from gateway.domain.callers import Caller
from gateway.domain.tokens import digest
from gateway.vocabulary import Role

WINDOW = timedelta(minutes=5)

# Plain SQL, the same on both databases (SQLite >= 3.35 for RETURNING): SQLAlchemy Core neither correlates
# subqueries in RETURNING nor qualifies SQLite's RETURNING columns, and both matter here.
# SQLite needs the WHERE clause of the SELECT: without one, it would read ON CONFLICT as a join's ON.
# A later window starts the count again; an earlier one (a worker whose clock lags) counts in the current one.
_COUNT_REQUEST = (
    text(
        """
    INSERT INTO request_counts (api_token_id, window_start, count)
    SELECT api_tokens.id, :window_start, 1 FROM api_tokens WHERE api_tokens.token_digest = :digest
    ON CONFLICT (api_token_id) DO UPDATE SET
        count = CASE WHEN excluded.window_start > request_counts.window_start THEN 1 ELSE request_counts.count + 1 END,
        window_start = CASE WHEN excluded.window_start > request_counts.window_start
            THEN excluded.window_start ELSE request_counts.window_start END
    RETURNING
        count,
        window_start,
        (SELECT role FROM api_tokens WHERE api_tokens.id = request_counts.api_token_id) AS role,
        (SELECT lead_provider_id FROM api_tokens WHERE api_tokens.id = request_counts.api_token_id) AS lead_provider_id,
        (SELECT lead_providers.name FROM api_tokens JOIN lead_providers ON lead_providers.id = api_tokens.lead_provider_id
            WHERE api_tokens.id = request_counts.api_token_id) AS lead_provider_name
    """
    )
    .bindparams(bindparam("window_start", type_=UTCDateTime()), bindparam("digest", type_=String()))
    .columns(
        count=Integer(),
        window_start=UTCDateTime(),
        role=String(),
        lead_provider_id=Uuid(),
        lead_provider_name=String(),
    )
)


@dataclass(frozen=True, slots=True)
class WindowCount:
    """How many requests a token has made in its current window, this one included."""

    count: int
    limit: int
    window_ends_at: datetime

    @property
    def over_limit(self) -> bool:
        return self.count > self.limit

    def seconds_until_window_ends(self, now: datetime) -> int:
        """Whole seconds, rounded up and at least 1, so a client that waits that long is let in."""
        return max(1, math.ceil((self.window_ends_at - now).total_seconds()))


def real_now() -> datetime:
    return datetime.now(UTC)


def window_start(at: datetime) -> datetime:
    """Windows are aligned on the epoch, so every worker puts a moment in the same window."""
    seconds = int(at.timestamp())
    return datetime.fromtimestamp(seconds - seconds % int(WINDOW.total_seconds()), UTC)


async def authenticate_and_count(
    conn: AsyncConnection, token: str, *, limit: int, at: datetime
) -> tuple[Caller, WindowCount] | None:
    """The caller a bearer token stands for, with this request counted against it; None for an unknown token.

    One statement, so a read request pays one round trip for both, and the upsert is atomic: concurrent
    requests of one token are each counted once. An unknown token selects no row, so writes nothing.
    """
    row = (await conn.execute(_COUNT_REQUEST, {"digest": digest(token), "window_start": window_start(at)})).first()
    if row is None:
        return None
    caller = Caller(
        role=Role(row.role), lead_provider_id=row.lead_provider_id, lead_provider_name=row.lead_provider_name
    )
    return caller, WindowCount(count=row._mapping["count"], limit=limit, window_ends_at=row.window_start + WINDOW)
