"""How a v1/v2 CSV export streams at scale: time to the first byte and the first row, and the process's memory.

Run against a seeded database (``gateway seed --scale 100``: about 500,000 declarations), outside the tests:

    DATABASE_URL=... python -m gateway.bench.csv_export [--path /api/v1/participant-declarations.csv]

The export runs in process through the ASGI app, as uvicorn would drive it, with an analyst token (who reads
every declaration); each body chunk is counted and dropped, as a server sends it. Figures are printed, never
asserted.
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import time

from gateway.app import create_app
from gateway.db.engine import get_engine, write_transaction
from gateway.domain import tokens
from gateway.vocabulary import Role


def _rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


async def measure(path: str) -> None:
    async with write_transaction() as conn:
        token = await tokens.create_token(conn, role=Role.ANALYST)
    app = create_app(rate_limit=0)
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
        "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
        "headers": [(b"authorization", f"Bearer {token}".encode())],
        "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1),
    }  # fmt: skip
    requested, never = False, asyncio.Event()

    async def receive():
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await never.wait()

    start = time.perf_counter()
    baseline = _rss_kib()
    first_byte = first_row = None
    lines = size = 0
    peak = baseline

    async def send(message):
        nonlocal first_byte, first_row, lines, size, peak
        if message["type"] != "http.response.body" or not message.get("body"):
            return
        body = message["body"]
        now = time.perf_counter() - start
        first_byte = now if first_byte is None else first_byte
        lines += body.count(b"\n")
        if first_row is None and lines > 1:
            first_row = now
            print(f"  first row after {now:.3f} s (first byte after {first_byte:.3f} s)", flush=True)
        size += len(body)
        peak = max(peak, _rss_kib())

    await app(scope, receive, send)
    elapsed = time.perf_counter() - start
    print(f"{path}: {lines - 1:,} rows, {size / 1e6:,.1f} MB in {elapsed:,.1f} s")
    print(f"  resident memory: {baseline / 1024:,.1f} MiB before, {peak / 1024:,.1f} MiB at most while streaming")
    print(f"  (process high-water mark {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.1f} MiB)")
    await get_engine().dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--path", default="/api/v1/participant-declarations.csv")
    asyncio.run(measure(parser.parse_args().path))


if __name__ == "__main__":
    main()
