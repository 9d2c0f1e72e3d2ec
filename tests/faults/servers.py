"""Real `gateway serve --workers N` processes for the tests that need several workers or real sockets.

Every server is killed in a ``finally``, whatever the test did; waiting for it to answer is bounded.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

GATEWAY = os.path.join(os.path.dirname(sys.executable), "gateway")
STARTUP_SECONDS = 60
STOP_SECONDS = 15


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    process: subprocess.Popen
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def terminate(self) -> None:
        """SIGTERM, as a container runtime stops a service: uvicorn finishes what is in flight first."""
        self.process.send_signal(signal.SIGTERM)


async def _wait_until_serving(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    async with httpx.AsyncClient(base_url=server.base_url, timeout=2) as http:
        while time.monotonic() < deadline:
            if server.process.poll() is not None:
                raise AssertionError(f"gateway serve exited with {server.process.returncode}:\n{server.log()}")
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise AssertionError(f"gateway serve did not answer within {STARTUP_SECONDS} s:\n{server.log()}")


@asynccontextmanager
async def serving(database_url: str, workdir: Path, *, workers: int = 2, **settings: str) -> AsyncIterator[Server]:
    """``gateway serve`` on ``database_url`` (already migrated and seeded), ``settings`` as GATEWAY_* variables."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "GATEWAY_ENV": "sandbox",
        "GATEWAY_RATE_LIMIT": "0",
        **{f"GATEWAY_{name.upper()}": value for name, value in settings.items()},
    }
    log_path = workdir / f"serve-{port}.log"
    command = [GATEWAY, "serve", "--port", str(port), "--workers", str(workers)]
    # Blocking, but brief: the server's output goes to a file, and the test awaits nothing meanwhile.
    with open(log_path, "w") as log:  # noqa: ASYNC230  see above
        process = subprocess.Popen(  # noqa: ASYNC220  see above
            command, env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    server = Server(process, f"http://127.0.0.1:{port}", log_path)
    try:
        await _wait_until_serving(server)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)  # the workers too
                process.wait(STOP_SECONDS)
