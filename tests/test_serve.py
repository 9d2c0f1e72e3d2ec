"""`gateway serve` on a new database, as the README has a newcomer run it: the tokens it prints work at once.

A real process: the command prepares the database in one event loop and serves in uvicorn's, and
connections opened in the first must not be used in the second (on PostgreSQL they were: the first
requests answered 500).
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys

import httpx


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_a_new_database_is_served_with_tokens_that_work(databases, tmp_path):
    db = await databases.create()  # empty: not migrated, not seeded
    await db.engine.dispose()
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": db.url, "GATEWAY_ENV": "sandbox"}
    command = [os.path.join(os.path.dirname(sys.executable), "gateway"), "serve", "--port", str(port)]
    # Starting a process is brief; its output is read as it comes, outside the event loop's way.
    server = subprocess.Popen(  # noqa: ASYNC220
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        printed = []
        while not any(line.startswith("  analyst:") for line in printed):
            line = server.stdout.readline()
            assert line, "".join(printed)
            printed.append(line)
        token = next(line for line in printed if line.startswith("  lead provider Ambition Institute:")).split()[-1]

        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            for _ in range(100):  # uvicorn binds its port a moment after the tokens are printed
                try:
                    await http.get("/healthz")
                    break
                except httpx.ConnectError:
                    await asyncio.sleep(0.1)
            headers = {"Authorization": f"Bearer {token}"}
            rest = [await http.get("/api/v3/delivery-partners", headers=headers) for _ in range(3)]
            graphql = await http.post("/graphql", json={"query": "{ me { leadProvider { name } } }"}, headers=headers)
    finally:
        server.terminate()
        server.wait(timeout=10)

    assert [response.status_code for response in rest] == [200, 200, 200]
    assert graphql.json() == {"data": {"me": {"leadProvider": {"name": "Ambition Institute"}}}}
