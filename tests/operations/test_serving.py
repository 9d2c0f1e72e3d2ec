"""A real `gateway serve --workers 2`: JSON lines on standard error, nothing on standard output, one request
followed by its id, and /metrics adding up every worker whichever one answers the scrape."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
import time

import httpx
import orjson

from tests.fixtures.served_gateway import free_port
from tests.operations.metrics_scrape import value

REQUESTS_SENT = 40


class _Server:
    """The command in a child process, its two outputs drained by threads so it never blocks on a pipe."""

    def __init__(self, command: list[str], env: dict[str, str], cwd) -> None:
        self.process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, lines in ((self.process.stdout, self.stdout), (self.process.stderr, self.stderr)):
            threading.Thread(target=lambda s=stream, out=lines: out.extend(iter(s.readline, "")), daemon=True).start()

    async def wait_for(self, predicate, what: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            found = next((line for line in list(self.stderr) if predicate(line)), None)
            if found is not None:
                return found
            assert self.process.poll() is None, "".join(self.stderr)
            await asyncio.sleep(0.05)
        raise AssertionError(f"no {what} within {seconds} s:\n" + "".join(self.stderr))

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def _json_lines(lines: list[str]) -> list[dict]:
    """Every line outside the first start's token block, each of which must be a JSON object."""
    parsed, in_block = [], False
    for line in lines:
        if line.startswith("====="):
            in_block = not in_block
            continue
        if not in_block:
            parsed.append(orjson.loads(line))
    return parsed


async def test_two_workers_log_json_and_their_metrics_add_up(databases, tmp_path):
    db = await databases.create()
    await db.engine.dispose()
    port = free_port()
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    env = {**os.environ, "DATABASE_URL": db.url, "GATEWAY_ENV": "sandbox", "TMPDIR": str(temporary)}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    command = [os.path.join(os.path.dirname(sys.executable), "gateway"), "serve", "--port", str(port), "--workers", "2"]
    server = _Server(command, env, tmp_path)
    try:
        token_line = await server.wait_for(
            lambda line: line.startswith("  lead provider Ambition Institute:"), "tokens"
        )
        token = token_line.split()[-1]
        assert any(line.startswith("Make a token at any time:  gateway tokens create") for line in server.stderr)
        await server.wait_for(lambda line: "Application startup complete" in line, "first worker")
        await server.wait_for(
            lambda line: sum("Application startup complete" in seen for seen in server.stderr) >= 2, "second worker"
        )
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        # A new connection per request, several at once, so both workers take some.
        limits = httpx.Limits(max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=base, timeout=20, limits=limits) as http:
            gate = asyncio.Semaphore(8)

            async def one(n: int) -> int:
                async with gate:
                    response = await http.get(
                        "/api/v3/delivery-partners", headers={**headers, "X-Request-Id": f"serve-test-{n}"}
                    )
                    return response.status_code

            statuses = await asyncio.gather(*(one(n) for n in range(REQUESTS_SENT)))
            scrapes = [await http.get("/metrics") for _ in range(6)]
        await server.wait_for(lambda line: "serve-test-" in line, "access lines")
        await asyncio.sleep(0.5)  # the last access lines are written just after their responses
    finally:
        server.stop()

    assert statuses == [200] * REQUESTS_SENT
    assert list(temporary.glob("gateway-metrics-*")) == [], "the workers' metrics directory goes with the server"
    assert server.stdout == [], "standard output carries nothing: the tokens and every log line go to stderr"
    lines = _json_lines(server.stderr)
    access = [line for line in lines if line["logger"] == "gateway.access"]
    assert sorted(line["request_id"] for line in access) == sorted(f"serve-test-{n}" for n in range(REQUESTS_SENT))
    assert all(line["lead_provider"] == "Ambition Institute" and line["status"] == 200 for line in access)
    assert token not in "".join(orjson.dumps(line).decode() for line in lines)
    assert any(line["logger"] == "uvicorn.error" for line in lines), "uvicorn's own lines are JSON too"
    serving_workers = {line["pid"] for line in access}
    assert len(serving_workers) == 2, (
        f"both workers must have answered for this test to mean anything: {serving_workers}"
    )

    for scrape in scrapes:
        assert scrape.status_code == 200
        counted = value(
            scrape.text, "gateway_http_requests_total", route="/api/v3/delivery-partners", method="GET", status="200"
        )
        assert counted == REQUESTS_SENT, "whichever worker answered, the scrape adds up both"
