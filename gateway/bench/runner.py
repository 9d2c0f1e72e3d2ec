"""`gateway bench`: read-path timings over HTTP, compiled vs normal execution vs the floor, interleaved.

Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import asyncio
import logging
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
from contextlib import AsyncExitStack, ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import orjson
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway import compression
from gateway.bench.server import FLOOR_PARTICIPANT, FLOOR_SYNC, NORMAL_PATH
from gateway.config import normalise_database_url
from gateway.db.engine import build_engine, read_connection, write_transaction
from gateway.db.migrate import is_empty, upgrade_to_head
from gateway.db.tables import LeadProvider, Participant, Partnership, TrainingPeriod, TrainingRecord, table_of
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


def _log(*parts: object) -> None:
    print(*parts, file=sys.stderr if _LOG_TO_STDERR else sys.stdout, flush=True)


_LOG_TO_STDERR = False


@dataclass
class _Setup:
    scale: int | None
    url: str
    where: str
    provider: str
    available: int
    token: str


async def run_bench(
    *,
    participants: int = 1000,
    rounds: int = 20,
    concurrency: int = 4,
    seconds: float = 2.0,
    scales: list[int] | None = None,
    as_json: bool = False,
) -> None:
    """``scales``: the sync page on one database per scale (interleaved), and the lookup on the first;
    ``as_json``: the figures as one JSON object on stdout (progress goes to stderr)."""
    global _LOG_TO_STDERR
    _LOG_TO_STDERR = as_json
    # The bench's own HTTP client would log each of its thousands of requests (the gateway's JSON logging
    # lets httpx log at info): the figures are what this command prints.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    setups = [await _setup(participants, scale) for scale in (scales or [None])]  # type: ignore[list-item]  # None: the default database (scale) or no CPU figure (guarded by the test above)
    first = min(participants, min(s.available for s in setups))
    for setup in setups:
        _log(f"gateway bench: {setup.where}")
        _log(f"  provider: {setup.provider}, sync page of {first} participants (of {setup.available})")
    _log(f"{rounds} rounds, paths and scales interleaved")
    with ExitStack() as stack:
        servers = [stack.enter_context(_server(setup.url)) for setup in setups]
        async with AsyncExitStack() as clients:
            requests = []
            for setup, (base, _pid) in zip(setups, servers, strict=True):
                http = await clients.enter_async_context(
                    # Uncompressed unless a figure says otherwise: the read paths are compared on the same bytes.
                    httpx.AsyncClient(
                        base_url=base,
                        headers={"Authorization": f"Bearer {setup.token}", "Accept-Encoding": "identity"},
                        timeout=300,
                    )
                )
                requests.append(await _prepared(_Requests(http, first)))
            syncs = await _timed(requests, "sync", rounds)
            lookup = (await _timed(requests[:1], "lookup", max(rounds, 50)))[0]
            throughput, cpu, loop_cpu = await _throughput(requests[0], servers[0][1], concurrency, seconds)
            gzipped = await _gzip_cost(requests[0], rounds)
    figures = _figures(setups, first, syncs, lookup, throughput, cpu, concurrency, loop_cpu)
    figures["gzip"] = _gzip_figures(gzipped)
    if as_json:
        print(orjson.dumps(figures, option=orjson.OPT_INDENT_2).decode())
    else:
        _report(figures, concurrency, seconds)
        _report_gzip(gzipped)


async def _setup(participants: int, scale: int | None) -> _Setup:
    url, where = await _database(participants, scale)
    engine = build_engine(url)
    try:
        provider_id, provider, available = await _biggest_provider(engine)
        token = await _token(engine, provider_id)
    finally:
        await engine.dispose()
    return _Setup(scale, url, where, provider, available, token)


async def _prepared(requests: _Requests) -> _Requests:
    page = (await requests.send(NORMAL, "sync")).json()
    if not page.get("data"):
        raise SystemExit(f"the sync query failed: {page.get('errors')}")
    requests.lookup_id = page["data"]["participants"]["edges"][0]["node"]["id"]
    await _check_identical(requests)
    return requests


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
        _log(f"{query}: compiled and normal answers are {verdict}")


async def _timed(each: list[_Requests], query: str, rounds: int) -> list[dict[str, Sample]]:
    """Samples per path for each set of requests (one per scale), every path and scale taking turns."""
    samples = [{path: Sample() for path in PATHS} for _ in each]
    for requests in each:
        for path in PATHS:  # warm: plans compiled, caches filled, connections open
            await requests.send(path, query)
    turns = [(i, path) for i in range(len(each)) for path in PATHS]
    for n in range(rounds):
        shift = n % len(turns)
        for i, path in turns[shift:] + turns[:shift]:  # each goes first in turn
            started = time.perf_counter()
            response = await each[i].send(path, query)
            samples[i][path].seconds.append(time.perf_counter() - started)
            response.raise_for_status()
            samples[i][path].statements = int(response.headers.get("x-bench-statements", "0"))
            samples[i][path].size = len(response.content)
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


def _cpu_seconds(pid: int, thread: int | None = None) -> float | None:
    """User and system CPU of a process so far, or of one of its threads (Linux /proc), None elsewhere.

    The thread whose id is the process's is its main thread, uvicorn's event loop; on SQLite the others are
    aiosqlite's, one per connection, which run the database engine itself (on PostgreSQL it runs in the
    server's processes, outside the figure)."""
    path = f"/proc/{pid}/stat" if thread is None else f"/proc/{pid}/task/{thread}/stat"
    try:
        fields = Path(path).read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def _throughput(
    requests: _Requests, server_pid: int, concurrency: int, seconds: float
) -> tuple[dict[str, float], dict[str, float | None], dict[str, float | None]]:
    """Lookups per second with ``concurrency`` clients, and the server's CPU milliseconds per lookup, per path:
    the whole process's, and its event loop thread's."""
    done = {path: 0 for path in PATHS}
    spent = {path: 0.0 for path in PATHS}
    cpu: dict[str, float | None] = {path: 0.0 for path in PATHS}
    loop_cpu: dict[str, float | None] = {path: 0.0 for path in PATHS}
    for _ in range(3):
        for path in PATHS:
            deadline = time.perf_counter() + seconds
            started = time.perf_counter()
            cpu_before = _cpu_seconds(server_pid)
            loop_before = _cpu_seconds(server_pid, server_pid)

            async def client(path: str = path, deadline: float = deadline) -> int:
                count = 0
                while time.perf_counter() < deadline:
                    (await requests.send(path, "lookup")).raise_for_status()
                    count += 1
                return count

            done[path] += sum(await asyncio.gather(*(client() for _ in range(concurrency))))
            spent[path] += time.perf_counter() - started
            for spent_cpu, before, after in (
                (cpu, cpu_before, _cpu_seconds(server_pid)),
                (loop_cpu, loop_before, _cpu_seconds(server_pid, server_pid)),
            ):
                if before is None or after is None or spent_cpu[path] is None:
                    spent_cpu[path] = None
                else:
                    spent_cpu[path] += after - before  # type: ignore[operator]  # None: no CPU figure (guarded by the test above)

    def per_request(spent_cpu: dict[str, float | None]) -> dict[str, float | None]:
        return {path: None if spent_cpu[path] is None else 1000 * spent_cpu[path] / done[path] for path in PATHS}  # type: ignore[operator]  # None: no CPU figure (guarded by the test above)

    return {path: done[path] / spent[path] for path in PATHS}, per_request(cpu), per_request(loop_cpu)


def _figures(setups, first, syncs, lookup, throughput, cpu, concurrency, loop_cpu) -> dict:
    def sample(s: Sample, floor: Sample) -> dict:
        return {
            "median_ms": round(s.median * 1000, 2),
            "p90_ms": round(s.p90 * 1000, 2),
            "x_floor": round(s.median / floor.median, 3),
            "statements": s.statements,
            "bytes": s.size,
        }

    sync = [
        {
            "scale": setup.scale,
            "database": setup.where,
            "provider_participants": setup.available,
            "paths": {path: sample(samples[path], samples[FLOOR]) for path in PATHS},
        }
        for setup, samples in zip(setups, syncs, strict=True)
    ]
    figures: dict = {
        "participants_per_page": first,
        "sync": sync,
        "lookup": {path: sample(lookup[path], lookup[FLOOR]) for path in PATHS},
        "lookup_throughput": {
            "clients": concurrency,
            "requests_per_second": {path: round(throughput[path], 1) for path in PATHS},
            "cpu_ms_per_request": {path: None if cpu[path] is None else round(cpu[path], 3) for path in PATHS},
            "event_loop_cpu_ms_per_request": {
                path: None if loop_cpu[path] is None else round(loop_cpu[path], 3) for path in PATHS
            },
        },
    }
    figures["targets"] = targets_of(figures, growth=syncs[-1][COMPILED].median / syncs[0][COMPILED].median)
    return figures


def targets_of(figures: dict, *, growth: float) -> list[dict]:
    """Issue 16's targets, each with the figure the run measured and whether it met the target."""
    lookup, through = figures["lookup"][COMPILED], figures["lookup_throughput"]
    rps = through["requests_per_second"]
    found: list[tuple[str, float | None, str, float]] = [
        *(
            (f"sync page, compiled, x floor (scale {sync['scale']})", sync["paths"][COMPILED]["x_floor"], "<=", 1.2)
            for sync in figures["sync"]
        ),
        ("lookup, SQL statements", lookup["statements"], "<=", 4),
        ("lookup throughput, compiled x floor", round(rps[COMPILED] / rps[FLOOR], 3), ">=", 1.0),
        ("lookup, compiled, CPU ms per request", through["cpu_ms_per_request"][COMPILED], "<=", 3.0),
    ]
    if len(figures["sync"]) > 1:
        found.append(("sync page, compiled, largest scale over smallest", round(growth, 3), "<=", 1.3))
    return [
        {
            "target": name,
            "value": value,
            "limit": f"{relation} {limit:g}",
            "met": None if value is None else (value <= limit if relation == "<=" else value >= limit),
        }
        for name, value, relation, limit in found
    ]


def _report(figures: dict, concurrency: int, seconds: float) -> None:
    print()
    header = f"{'':24}{'median':>10}{'p90':>10}{'x floor':>9}{'statements':>12}{'bytes':>12}"

    def table(title: str, paths: dict) -> None:
        print(title)
        print(header)
        for path in PATHS:
            s = paths[path]
            print(
                f"  {path:22}{s['median_ms']:>8.1f}ms{s['p90_ms']:>8.1f}ms{s['x_floor']:>8.2f}x"
                f"{s['statements']:>12}{s['bytes']:>12,}"
            )
        print(
            f"  compiled is {paths[NORMAL]['median_ms'] / paths[COMPILED]['median_ms']:.1f}x faster than normal execution"
        )
        print()

    for sync in figures["sync"]:
        scale = "" if sync["scale"] is None else f" at scale {sync['scale']}"
        table(
            f"provider sync query{scale} ({sync['provider_participants']} participants of the provider)", sync["paths"]
        )
    table("single participant lookup", figures["lookup"])
    through = figures["lookup_throughput"]
    print(f"lookup throughput ({concurrency} concurrent clients, 3 x {seconds:g} s per path, interleaved)")
    for path in PATHS:
        cpu, in_loop = through["cpu_ms_per_request"][path], through["event_loop_cpu_ms_per_request"][path]
        cpu_text = "" if cpu is None else f"{cpu:>8.2f} ms CPU per request"
        if cpu is not None and in_loop is not None:
            cpu_text += f" ({in_loop:.2f} in the event loop's thread)"
        print(f"  {path:22}{through['requests_per_second'][path]:>8.0f} requests/s{cpu_text}")
    print()
    print("targets (issue 16)")
    for target in figures["targets"]:
        met = {True: "met", False: "NOT met", None: "not measured"}[target["met"]]
        print(f"  {target['target']}: {target['value']} ({target['limit']}): {met}")


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


def _gzip_figures(cost: GzipCost) -> dict:
    return {
        "level": compression.LEVEL,
        "plain_bytes": cost.plain.size,
        "wire_bytes": cost.wire_bytes,
        "compress_cpu_ms": round(statistics.median(cost.compress_seconds) * 1000, 2),
        "request_ms_gzip": round(cost.gzipped.median * 1000, 2),
        "request_ms_plain": round(cost.plain.median * 1000, 2),
    }


async def _database(participants: int, scale: int | None = None) -> tuple[str, str]:
    """The database to bench on: DATABASE_URL as it is (seeded if empty; with ``--scales``, a ``{scale}`` in it
    names one existing database per scale), else a seeded SQLite file per scale kept for reuse."""
    if scale is None:
        scale = max(1, math.ceil(participants / PARTICIPANTS_PER_SCALE))
    if os.environ.get("DATABASE_URL"):
        url = normalise_database_url(os.environ["DATABASE_URL"].replace("{scale}", str(scale)))
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
            seeded = (await conn.execute(select(func.count()).select_from(table_of(Participant)))).scalar_one() > 0
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
    tr, tp, pa, lp = table_of(TrainingRecord), table_of(TrainingPeriod), table_of(Partnership), table_of(LeadProvider)
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
def _server(url: str) -> Iterator[tuple[str, int]]:
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
        yield base, child.pid
    finally:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
