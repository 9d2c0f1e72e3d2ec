"""gzip for answers of at least ``GATEWAY_GZIP_MIN_BYTES`` (default 1 KiB) to clients that send
``Accept-Encoding: gzip``; a client that does not ask (a scraper, curl) gets the plain bytes.

Starlette's GZipMiddleware, compressing large bodies in a worker thread (zlib releases the GIL), so a
big sync page does not stall the event loop. Level 1: on a 3.4 MB sync page (measured on the sandbox,
2-core machine) it took 61 ms for a 5.7x smaller answer, against 168 ms for 7.2x at level 6 and
374 ms for 7.5x at level 9: the last few per cent of bytes are not worth three to six times the CPU.
``gateway bench`` prints what it costs per sync page on the data at hand.

No brotli: none of the ASGI brotli middlewares on PyPI is kept up with Starlette, and gzip is what
every HTTP client decodes.
"""

from __future__ import annotations

from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware

from gateway.config import Settings

LEVEL = 1


def compression_middleware(settings: Settings) -> list[Middleware]:
    if not settings.gzip_min_bytes:
        return []
    return [Middleware(GZipMiddleware, minimum_size=settings.gzip_min_bytes, compresslevel=LEVEL)]
