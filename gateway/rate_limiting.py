"""The 429 answers of the published rate limit, one per face; the counting is in gateway.domain.rate_limits.

A throttled request is answered here, before any route runs, so it reads and writes nothing more.
REST answers as the live DfE service does (Rack::Attack's "Retry later"); GraphQL answers with a
coded error like every other GraphQL error. Both say in ``Retry-After`` when the window ends.
"""

from __future__ import annotations

from datetime import datetime

import orjson
from starlette.types import Send

from gateway import metrics
from gateway.domain.rate_limits import WindowCount
from gateway.graphql.errors import RATE_LIMITED

RETRY_LATER = "Retry later"
REST_BODY = orjson.dumps({"error": RETRY_LATER})
GRAPHQL_BODY = orjson.dumps({"errors": [{"message": RETRY_LATER, "extensions": {"code": RATE_LIMITED}}]})


async def send_too_many_requests(send: Send, counted: WindowCount, *, now: datetime, graphql: bool) -> None:
    metrics.rate_limited("graphql" if graphql else "rest")
    retry_after = str(counted.seconds_until_window_ends(now)).encode()
    headers = [(b"content-type", b"application/json"), (b"retry-after", retry_after)]
    await send({"type": "http.response.start", "status": 429, "headers": headers})
    await send({"type": "http.response.body", "body": GRAPHQL_BODY if graphql else REST_BODY})
