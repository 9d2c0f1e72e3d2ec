"""The Starlette application, assembled explicitly: routes, middleware, handlers, lifespan."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from gateway import health, http_errors, metrics
from gateway.access_log import AccessLogMiddleware
from gateway.authentication import AuthenticationMiddleware
from gateway.compression import compression_middleware
from gateway.config import get_settings
from gateway.db.engine import get_engine
from gateway.graphql.endpoint import graphql_routes
from gateway.pages import page_routes
from gateway.request_budget import RequestBudgetMiddleware
from gateway.request_ids import RequestIdMiddleware
from gateway.rest.errors import rest_exception_handlers
from gateway.rest.routes import rest_routes
from gateway.rest.versions import legacy_routes
from gateway.security_headers import SecurityHeadersMiddleware
from gateway.time_travel import TimeTravelMiddleware


def _tune_garbage_collector() -> None:
    # Measured: large responses allocate millions of short-lived objects; a high
    # generation-0 threshold and freezing start-up objects halve their cost.
    gc.collect()
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)


@asynccontextmanager
async def lifespan(_app: Starlette):
    _tune_garbage_collector()
    metrics.watch_pool(get_engine().sync_engine.pool)
    yield
    await get_engine().dispose()
    metrics.worker_stopped()


def create_app(*, rate_limit: int | None = None) -> Starlette:
    """``rate_limit``: requests per token and five-minute window, instead of the GATEWAY_RATE_LIMIT setting."""
    settings = get_settings()
    routes = [
        Route("/healthz", health.healthz),
        Route("/readyz", health.readyz),
        *graphql_routes(),
        *rest_routes(),
        *page_routes(),
        *([Route(metrics.PATH, metrics.metrics_endpoint)] if settings.metrics else []),
        *legacy_routes(),
    ]
    return Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestIdMiddleware),
            Middleware(AccessLogMiddleware, metrics_enabled=settings.metrics),
            Middleware(SecurityHeadersMiddleware),
            *compression_middleware(settings),
            # Inside the request id (its log line names the request), outside authentication (which reads the database).
            Middleware(http_errors.DatabaseUnavailableMiddleware),
            # Outermost of what reads the database: a request over its budget is cancelled, its statements too.
            Middleware(RequestBudgetMiddleware, seconds=settings.request_budget_seconds),
            Middleware(TimeTravelMiddleware, enabled=settings.is_sandbox),
            Middleware(AuthenticationMiddleware, rate_limit=settings.rate_limit if rate_limit is None else rate_limit),
        ],
        exception_handlers={
            HTTPException: http_errors.http_exception,  # type: ignore[dict-item]  # Starlette calls it with HTTPExceptions only
            **rest_exception_handlers(),
            Exception: http_errors.unexpected_exception,
        },
        lifespan=lifespan,
    )
