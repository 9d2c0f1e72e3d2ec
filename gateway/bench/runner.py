"""`gateway bench`: read-path timings over HTTP, compiled vs normal execution vs the floor, interleaved.

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import asyncio
import math
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import compression
from gateway.bench.server import FLOOR_PARTICIPANT, FLOOR_SYNC, NORMAL_PATH
from gateway.config import normalise_database_url
from gateway.db.engine import build_engine, read_connection, write_transaction
from gateway.db.migrate import is_empty, upgrade_to_head
from gateway.db.tables import LeadProvider, Participant, Partnership, TrainingPeriod, TrainingRecord
from gateway.domain.tokens import create_token
from gateway.vocabulary import Role

PARTICIPANTS_PER_SCALE = 180
"""Participants of the biggest provider per unit of `gateway seed --scale`, rounded down (about 197 at scale 5)."""

_FIELDS = """
  id fullName teacherReferenceNumber createdAt updatedAt
  enrolments {
    trainingRecordId email mentorId schoolUrn participantType cohort trainingStatus eligibleForFunding
    pupilPremiumUplift sparsityUplift scheduleIdentifier deliveryPartnerId withdrawal { reason date } deferral { reason date }
    createdAt inductionEndDate mentorFundingEndDate startedOn finishedOn
    school { id urn name } deliveryPartner { id name }
  }
  declarations {
    id declarationType declarationDate courseIdentifier state statementId clawbackStatementId deliveryPartnerId mentorId
    evidenceHeld hasPassed leadProviderName createdAt updatedAt
  }
"""
SYNC = f"query Sync($first: Int) {{ participants(first: $first) {{ edges {{ node {{ {_FIELDS} }} }} }} }}"
LOOKUP = f"query Lookup($id: ID!) {{ participant(id: $id) {{ {_FIELDS} }} }}"

COMPILED, NORMAL, FLOOR = "compiled", "normal", "floor (SQL + orjson)"
PATHS = (COMPILED, NORMAL, FLOOR)


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    statements: int = 0
    size: int = 0

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def p90(self) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


async def run_bench(*, participants: int = 1000, rounds: int = 20, concurrency: int = 4, seconds: float = 2.0) -> None:
    url, where = await _database(participants)
    engine = build_engine(url)
    try:
        provider_id, provider, available = await _biggest_provider(engine)
        token = await _token(engine, provider_id)
    finally:
        await engine.dispose()
    first = min(participants, available)
    print(f"gateway bench: {where}", flush=True)
    print(
        f"provider: {provider}, sync page of {first} participants (of {available}); {rounds} rounds, paths interleaved",
        flush=True,
    )
    if available < participants:
        print(
            f"  (the data set holds only {available} of this provider's participants: seed a larger scale for {participants})"
        )

    with _server(url) as base:
        # Uncompressed unless a figure says otherwise: the read paths are compared on the same bytes.
        headers = {"Authorization": f"Bearer {token}", "Accept-Encoding": "identity"}
        async with httpx.AsyncClient(base_url=base, headers=headers, timeout=300) as http:
            requests = _Requests(http, first)
            page = (await requests.send(NORMAL, "sync")).json()
            if not page.get("data"):
                raise SystemExit(f"the sync query failed: {page.get('errors')}")
            requests.lookup_id = page["data"]["participants"]["edges"][0]["node"]["id"]
            await _check_identical(requests)
            sync = await _timed(requests, "sync", rounds)
            lookup = await _timed(requests, "lookup", max(rounds, 50))
            throughput = await _throughput(requests, concurrency, seconds)
            gzipped = await _gzip_cost(requests, rounds)
    _report(sync, lookup, throughput, concurrency, seconds)
    _report_gzip(gzipped)


class _Requests:
    def __init__(self, http: httpx.AsyncClient, first: int) -> None:
        self.http = http
        self.first = first
        self.lookup_id = ""

    def send(self, path: str, query: str, headers: dict[str, str] | None = None):
        if path == FLOOR:
            if query == "sync":
                return self.http.get(FLOOR_SYNC, params={"first": self.first})
            return self.http.get(FLOOR_PARTICIPANT, params={"id": self.lookup_id})
        url = "/graphql" if path == COMPILED else NORMAL_PATH
        body = (
            {"query": SYNC, "variables": {"first": self.first}}
            if query == "sync"
            else {"query": LOOKUP, "variables": {"id": self.lookup_id}}
        )
        return self.http.post(url, json=body, headers=headers)


async def _check_identical(requests: _Requests) -> None:
    for query in ("sync", "lookup"):
        compiled, normal = (await requests.send(COMPILED, query)).content, (await requests.send(NORMAL, query)).content
        verdict = "identical bytes" if compiled == normal else "DIFFERENT BYTES (a bug: please report it)"
        print(f"{query}: compiled and normal answers are {verdict}", flush=True)


async def _timed(requests: _Requests, query: str, rounds: int) -> dict[str, Sample]:
    samples = {path: Sample() for path in PATHS}
    for path in PATHS:  # warm: plans compiled, caches filled, connections open
        await requests.send(path, query)
    for n in range(rounds):
        for path in PATHS[n % 3 :] + PATHS[: n % 3]:  # each path goes first in turn
            started = time.perf_counter()
            response = await requests.send(path, query)
            samples[path].seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            samples[path].statements = int(response.headers.get("x-bench-statements", "0"))
            samples[path].size = len(response.content)
    return samples


@dataclass
class GzipCost:
    plain: Sample
    gzipped: Sample
    wire_bytes: int
    compress_seconds: list[float]


async def _gzip_cost(requests: _Requests, rounds: int) -> GzipCost:
    """The compiled sync page with and without gzip, interleaved, and the CPU compressing it takes alone."""
    plain, gzipped, wire = Sample(), Sample(), 0
    asked = {"Accept-Encoding": "gzip"}
    for n in range(rounds + 1):
        for sample, headers in ((plain, None), (gzipped, asked))[:: 1 if n % 2 else -1]:
            started = time.perf_counter()
            response = await requests.send(COMPILED, "sync", headers)
            elapsed = time.perf_counter() - started
            response.raise_for_status()
            if n:  # the first round warms both
                sample.seconds.append(elapsed)
            sample.size = len(response.content)
            if headers:
                wire = response.num_bytes_downloaded
    page = (await requests.send(COMPILED, "sync")).content
    compress_seconds = []
    for _ in range(max(5, rounds // 2)):
        started = time.perf_counter()
        gzip = zlib.compressobj(compression.LEVEL, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # what GZipMiddleware does
        gzip.compress(page)
        gzip.flush()
        compress_seconds.append(time.perf_counter() - started)
    return GzipCost(plain=plain, gzipped=gzipped, wire_bytes=wire, compress_seconds=compress_seconds)


async def _throughput(requests: _Requests, concurrency: int, seconds: float) -> dict[str, float]:
    done = {path: 0 for path in PATHS}
    spent = {path: 0.0 for path in PATHS}
    for _ in range(3):
        for path in PATHS:
            deadline = time.perf_counter() + seconds
            started = time.perf_counter()

            async def client() -> int:
                count = 0
                while time.perf_counter() < deadline:
                    (await requests.send(path, "lookup")).raise_for_status()
                    count += 1
                return count

            done[path] += sum(await asyncio.gather(*(client() for _ in range(concurrency))))
            spent[path] += time.perf_counter() - started
    return {path: done[path] / spent[path] for path in PATHS}


def _report(
    sync: dict[str, Sample], lookup: dict[str, Sample], throughput: dict[str, float], concurrency: int, seconds: float
) -> None:
    print()
    header = f"{'':24}{'median':>10}{'p90':>10}{'x floor':>9}{'statements':>12}{'bytes':>12}"
    for title, samples in (("provider sync query", sync), ("single participant lookup", lookup)):
        print(title)
        print(header)
        floor = samples[FLOOR].median
        for path in PATHS:
            s = samples[path]
            print(
                f"  {path:22}{s.median * 1000:>8.1f}ms{s.p90 * 1000:>8.1f}ms{s.median / floor:>8.2f}x{s.statements:>12}{s.size:>12,}"
            )
        print(f"  compiled is {samples[NORMAL].median / samples[COMPILED].median:.1f}x faster than normal execution")
        print()
    print(f"lookup throughput ({concurrency} concurrent clients, 3 x {seconds:g} s per path, interleaved)")
    for path in PATHS:
        print(f"  {path:22}{throughput[path]:>8.0f} requests/s")
    print()
    print("targets")
    print(f"  sync query within 1.5x of the floor:        compiled {sync[COMPILED].median / sync[FLOOR].median:.2f}x")
    print(f"  lookup throughput at least 2x normal's:     compiled {throughput[COMPILED] / throughput[NORMAL]:.2f}x")


def _report_gzip(cost: GzipCost) -> None:
    print()
    print(f"gzip on the compiled sync page (level {compression.LEVEL}, for clients that send Accept-Encoding: gzip)")
    if cost.wire_bytes >= cost.gzipped.size:
        print("  not compressed: the server runs with GATEWAY_GZIP_MIN_BYTES=0 or above the page's size")
        return
    print(
        f"  {cost.plain.size:,} bytes -> {cost.wire_bytes:,} on the wire ({cost.plain.size / cost.wire_bytes:.1f}x smaller)"
    )
    print(f"  compressing it: {statistics.median(cost.compress_seconds) * 1000:.1f} ms of CPU per page")
    print(
        f"  request median {cost.gzipped.median * 1000:.1f} ms with gzip, {cost.plain.median * 1000:.1f} ms without"
        " (over loopback, where bytes cost nearly nothing)"
    )


async def _database(participants: int) -> tuple[str, str]:
    """The database to bench on: DATABASE_URL as it is (seeded if empty), else a seeded SQLite file kept for reuse."""
    scale = max(1, math.ceil(participants / PARTICIPANTS_PER_SCALE))
    if os.environ.get("DATABASE_URL"):
        url = normalise_database_url(os.environ["DATABASE_URL"])
        where = f"DATABASE_URL ({url.split('@')[-1]})"
    else:
        path = Path(tempfile.gettempdir()) / f"gateway-bench-scale-{scale}.db"
        url = f"sqlite+aiosqlite:///{path}"
        where = f"SQLite {path}"
    engine = build_engine(url)
    try:
        empty = await is_empty(engine)
        await upgrade_to_head(engine)
        async with read_connection(engine) as conn:
            seeded = (await conn.execute(select(func.count()).select_from(Participant.__table__))).scalar_one() > 0
        if empty or not seeded:
            from gateway.sandbox.seed import seed_sandbox

            print(
                f"seeding the sandbox data set at scale {scale} into {where} (once; later runs reuse it)...", flush=True
            )
            print(await seed_sandbox(engine, scale=scale, reset=False, progress=True), file=sys.stderr)
            where += f", seeded at scale {scale}"
        else:
            where += " (reused)"
    finally:
        await engine.dispose()
    return url, where


async def _biggest_provider(engine: AsyncEngine) -> tuple[uuid.UUID, str, int]:
    tr, tp, pa, lp = TrainingRecord.__table__, TrainingPeriod.__table__, Partnership.__table__, LeadProvider.__table__
    stmt = (
        select(lp.c.id, lp.c.name, func.count(func.distinct(tr.c.participant_id)).label("participants"))
        .join(pa, pa.c.lead_provider_id == lp.c.id)
        .join(tp, tp.c.partnership_id == pa.c.id)
        .join(tr, tr.c.id == tp.c.training_record_id)
        .group_by(lp.c.id, lp.c.name)
        .order_by(func.count(func.distinct(tr.c.participant_id)).desc())
        .limit(1)
    )
    async with read_connection(engine) as conn:
        row = (await conn.execute(stmt)).one()
    return row.id, row.name, row.participants


async def _token(engine: AsyncEngine, lead_provider_id: uuid.UUID) -> str:
    async with write_transaction(engine) as conn:
        return await create_token(
            conn, role=Role.LEAD_PROVIDER, lead_provider_id=lead_provider_id, description="gateway bench"
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def _server(url: str) -> Iterator[str]:
    """The bench app under uvicorn in a child process, on a free loopback port."""
    port = _free_port()
    command = [
        sys.executable, "-m", "uvicorn", "gateway.bench.server:create_bench_app", "--factory",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--no-access-log",
    ]  # fmt: skip
    child = subprocess.Popen(command, env={**os.environ, "DATABASE_URL": url})
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if child.poll() is not None:
                raise SystemExit("the bench server did not start")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise SystemExit("the bench server did not answer /healthz")
        yield base
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
