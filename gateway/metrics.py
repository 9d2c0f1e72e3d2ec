"""Prometheus metrics, served at ``/metrics`` (no token, no rate limit; ``GATEWAY_METRICS=0`` unmounts it).

Functions other modules call (each one line at the place the event happens; all are cheap):

- ``request_finished(route, method, status, seconds)``: every HTTP request (gateway.access_log calls it),
  labelled by route template (``/api/v3/participants/{id}``), never by raw path;
- ``graphql_operation(name, execution_path)``: a GraphQL operation ran, by operation name and by which
  path answered it (``compiled`` or ``normal``);
- ``graphql_refused(limit)``: a GraphQL document refused by one of its limits (``depth``, ``cost``, ...);
- ``compiled_plan_cache(hit)``: the compiled executor found (or had to build) a document's plan;
- ``rate_limited(face)``: a request answered 429 by the rate limit (``rest`` or ``graphql``);
- ``watch_pool(pool)``: follow a SQLAlchemy pool's connections in use and callers waiting for one.

Under ``gateway serve --workers N`` every worker is its own process: ``gateway serve`` points
``PROMETHEUS_MULTIPROC_DIR`` at an empty directory before any worker starts, each worker writes its
values there (prometheus-client's multiprocess mode), and a scrape answered by any worker adds them all up.
"""

from __future__ import annotations

import os
import threading
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from starlette.requests import Request
from starlette.responses import Response

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
PATH = "/metrics"

UNMATCHED_ROUTE = "unmatched"
"""The route label of a request no route served (404s, scanners): raw paths would make a label per URL."""

OTHER_METHOD = "other"
"""The method label of a request whose method is not HTTP's own: clients choose the method token too."""
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"})

OTHER_OPERATION = "other"
ANONYMOUS_OPERATION = "anonymous"
MAX_OPERATION_NAMES = 200
"""Operation names are chosen by clients; past this many in one process, new ones count as ``other``."""

# The ``_created`` series double every counter's output and no dashboard here reads them.
disable_created_metrics()

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("gateway_http_requests", "HTTP requests answered", ["route", "method", "status"])
LATENCY = Histogram(
    "gateway_http_request_duration_seconds",
    "Time from a request's arrival to its last response byte",
    ["route", "method"],
    buckets=_LATENCY_BUCKETS,
)
GRAPHQL_OPERATIONS = Counter("gateway_graphql_operations", "GraphQL operations run", ["operation", "execution_path"])
GRAPHQL_REFUSALS = Counter("gateway_graphql_refusals", "GraphQL documents refused by a limit", ["limit"])
COMPILED_PLAN_CACHE = Counter(
    "gateway_compiled_plan_cache_lookups", "Compiled-plan cache lookups of query operations", ["result"]
)
RATE_LIMITED = Counter("gateway_rate_limit_refusals", "Requests answered 429 by the rate limit", ["face"])
POOL_IN_USE = Gauge(
    "gateway_db_pool_connections_in_use", "Database connections checked out of the pool", multiprocess_mode="livesum"
)
POOL_WAITING = Gauge(
    "gateway_db_pool_waiting", "Callers waiting for a database connection", multiprocess_mode="livesum"
)

_operation_names: set[str] = set()
_operation_names_lock = threading.Lock()


_children: dict[tuple[Any, tuple[str, ...]], Any] = {}
"""Each metric's child per label values, once: ``labels()`` checks and locks on every call, and every request
counts four. The label sets are as bounded as the metrics' own (routes, statuses, capped operation names)."""


def _child(metric: Any, *labels: str) -> Any:
    key = (metric, labels)
    child = _children.get(key)
    if child is None:
        child = _children[key] = metric.labels(*labels)
    return child


def request_finished(route: str, method: str, status: int, seconds: float) -> None:
    method = method if method in _METHODS else OTHER_METHOD
    _child(REQUESTS, route, method, str(status)).inc()
    _child(LATENCY, route, method).observe(seconds)


def operation_label(name: str | None) -> str:
    if not name:
        return ANONYMOUS_OPERATION
    if name in _operation_names:
        return name
    with _operation_names_lock:
        if len(_operation_names) >= MAX_OPERATION_NAMES:
            return OTHER_OPERATION
        _operation_names.add(name)
    return name


def graphql_operation(name: str | None, execution_path: str) -> None:
    _child(GRAPHQL_OPERATIONS, operation_label(name), execution_path).inc()


def graphql_refused(limit: str) -> None:
    GRAPHQL_REFUSALS.labels(limit).inc()


def compiled_plan_cache(hit: bool) -> None:
    _child(COMPILED_PLAN_CACHE, "hit" if hit else "miss").inc()


def rate_limited(face: str) -> None:
    RATE_LIMITED.labels(face).inc()


def watch_pool(pool: Any) -> None:
    """Count ``pool``'s checked-out connections and the callers blocked waiting for one.

    SQLAlchemy's pool has events for a checkout that happened but none for one that is waiting, so the
    pool's own ``_do_get`` (the step that blocks when the pool is exhausted) is wrapped: a caller counts
    as waiting while it is inside it. A pool without that step (a test double) is watched for use only.
    """
    if getattr(pool, "_gateway_watched", False):
        return
    from sqlalchemy import event

    event.listen(pool, "checkout", lambda *_: POOL_IN_USE.inc())
    event.listen(pool, "checkin", lambda *_: POOL_IN_USE.dec())
    do_get = getattr(pool, "_do_get", None)
    if do_get is not None:

        def waiting_do_get() -> Any:
            POOL_WAITING.inc()
            try:
                return do_get()
            finally:
                POOL_WAITING.dec()

        pool._do_get = waiting_do_get
    pool._gateway_watched = True


def is_multiprocess() -> bool:
    return bool(os.environ.get(MULTIPROC_ENV))


def worker_stopped() -> None:
    """A worker's live gauges (pool in use, waiting) stop counting once it exits."""
    if is_multiprocess():
        multiprocess.mark_process_dead(os.getpid())


def exposition() -> bytes:
    if is_multiprocess():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


async def metrics_endpoint(_request: Request) -> Response:
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)
