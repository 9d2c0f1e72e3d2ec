"""Settings read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

SANDBOX = "sandbox"
PRODUCTION = "production"


@dataclass(frozen=True, slots=True)
class GraphQLLimits:
    """Each limit is checked before a document runs; the README's configuration table names their settings."""

    max_body_bytes: int = 1_000_000
    max_document_bytes: int = 65_536
    max_tokens: int = 5_000
    max_depth: int = 15
    max_aliases: int = 50
    max_root_fields: int = 20
    max_cost: int = 500_000
    """Estimated objects in one answer, for a lead provider's token."""
    max_cost_reads_everything: int = 5_000_000
    """The same for analysts and DfE finance, whose reads span every provider."""


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    environment: str
    host: str
    port: int
    compiled_execution: bool
    rate_limit: int
    """Requests per token in each five-minute window (domain.md section 2); 0 turns the limit off."""
    log_format: str = "json"
    """``json`` (one object per line) or ``text`` (gateway.logging)."""
    metrics: bool = True
    """Serve Prometheus metrics at /metrics (gateway.metrics)."""
    gzip_min_bytes: int = 1024
    """Responses at least this long are gzipped for clients that accept it; 0 turns compression off."""
    db_timeout: float = 5.0
    """Seconds a statement may run (and a request wait on one) before it is cancelled and answered 503."""
    db_connect_timeout: float = 3.0
    """Seconds to open a new database connection."""
    db_pool_timeout: float = 5.0
    """Seconds a request waits for a pooled connection when all are busy (a burst queues there)."""
    graphql: GraphQLLimits = field(default_factory=lambda: GraphQLLimits())
    """What one GraphQL request may ask for (gateway.graphql.limits)."""
    request_budget_seconds: float = 30.0
    """Wall-clock time a request may take before it is cancelled (gateway.request_budget); 0 turns it off."""

    @property
    def is_sandbox(self) -> bool:
        return self.environment == SANDBOX

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def default_database_url() -> str:
    return f"sqlite+aiosqlite:///{Path.cwd() / 'gateway.db'}"


def normalise_database_url(url: str) -> str:
    """Accept the plain URLs people paste (postgres://, postgresql://, sqlite://) and pick the async driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://") :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    environment = os.environ.get("GATEWAY_ENV", SANDBOX).strip().lower()
    if environment not in (SANDBOX, PRODUCTION):
        raise SystemExit(f"GATEWAY_ENV must be '{SANDBOX}' or '{PRODUCTION}', not {environment!r}")
    return Settings(
        database_url=normalise_database_url(os.environ.get("DATABASE_URL") or default_database_url()),
        environment=environment,
        host=os.environ.get("GATEWAY_HOST", "127.0.0.1"),
        port=int(os.environ.get("GATEWAY_PORT", "8000")),
        compiled_execution=os.environ.get("GATEWAY_COMPILED_EXECUTION", "1") != "0",
        rate_limit=_rate_limit(os.environ.get("GATEWAY_RATE_LIMIT", "1000")),
        log_format=_log_format(os.environ.get("GATEWAY_LOG_FORMAT", "json")),
        metrics=os.environ.get("GATEWAY_METRICS", "1") != "0",
        gzip_min_bytes=_whole_number("GATEWAY_GZIP_MIN_BYTES", os.environ.get("GATEWAY_GZIP_MIN_BYTES", "1024")),
        db_timeout=_seconds("GATEWAY_DB_TIMEOUT", 5.0),
        db_connect_timeout=_seconds("GATEWAY_DB_CONNECT_TIMEOUT", 3.0),
        db_pool_timeout=_seconds("GATEWAY_DB_POOL_TIMEOUT", 5.0),
        graphql=_graphql_limits(),
        request_budget_seconds=_seconds("GATEWAY_REQUEST_BUDGET_SECONDS", 30.0, zero_turns_off=True),
    )


_GRAPHQL_LIMIT_SETTINGS = {
    "max_body_bytes": "GATEWAY_GRAPHQL_MAX_BODY_BYTES",
    "max_document_bytes": "GATEWAY_GRAPHQL_MAX_DOCUMENT_BYTES",
    "max_tokens": "GATEWAY_GRAPHQL_MAX_TOKENS",
    "max_depth": "GATEWAY_GRAPHQL_MAX_DEPTH",
    "max_aliases": "GATEWAY_GRAPHQL_MAX_ALIASES",
    "max_root_fields": "GATEWAY_GRAPHQL_MAX_ROOT_FIELDS",
    "max_cost": "GATEWAY_GRAPHQL_MAX_COST",
    "max_cost_reads_everything": "GATEWAY_GRAPHQL_MAX_COST_ANALYST",
}


def _graphql_limits() -> GraphQLLimits:
    values = {}
    for attribute, name in _GRAPHQL_LIMIT_SETTINGS.items():
        value = os.environ.get(name)
        if value is not None:
            if not value.strip().isdecimal() or int(value) < 1:
                raise SystemExit(f"{name} must be a positive whole number, not {value!r}")
            values[attribute] = int(value)
    return GraphQLLimits(**values)


def _seconds(name: str, default: float, *, zero_turns_off: bool = False) -> float:
    value = os.environ.get(name)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    lowest_ok = seconds >= 0 if zero_turns_off else seconds > 0
    if not (lowest_ok and seconds < 3600):
        allowed = "0 turns it off" if zero_turns_off else "above 0"
        raise SystemExit(f"{name} must be a number of seconds under 3600 ({allowed}), not {value!r}")
    return seconds


def _rate_limit(value: str) -> int:
    try:
        limit = int(value)
    except ValueError:
        limit = -1
    if limit < 0:
        raise SystemExit(
            f"GATEWAY_RATE_LIMIT must be a whole number of requests (0 turns the limit off), not {value!r}"
        )
    return limit


def _whole_number(name: str, value: str) -> int:
    if not value.strip().isdecimal():
        raise SystemExit(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _log_format(value: str) -> str:
    chosen = value.strip().lower()
    if chosen not in ("json", "text"):
        raise SystemExit(f"GATEWAY_LOG_FORMAT must be 'json' or 'text', not {value!r}")
    return chosen
