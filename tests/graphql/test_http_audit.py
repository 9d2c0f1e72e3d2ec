"""The graphql-http audit suite (npm ``graphql-http``'s auditServer) against a real ``gateway serve``: 0 warnings, 0 errors.

The Node project is tools/graphql-http-audit (scripts/test installs it with ``npm ci``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.test_serve import _free_port

AUDIT = Path(__file__).resolve().parents[2] / "tools" / "graphql-http-audit"


@pytest.mark.skipif(shutil.which("node") is None, reason="the audit runs on Node")
def test_the_graphql_over_http_audit_reports_no_warning_and_no_error(tmp_path):
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), "run scripts/test (it runs npm ci in the tools folder)"
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", "GATEWAY_ENV": "sandbox"}
    command = [os.path.join(os.path.dirname(sys.executable), "gateway"), "serve", "--port", str(port)]
    server = subprocess.Popen(
        command, env=env, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        printed = []
        while not any(line.startswith("  analyst:") for line in printed):
            line = server.stdout.readline()
            assert line, "".join(printed)
            printed.append(line)
        token = next(line for line in printed if line.startswith("  analyst:")).split()[-1]
        for _ in range(100):  # uvicorn binds its port a moment after the tokens are printed
            try:
                httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.ConnectError:
                time.sleep(0.1)

        audit = subprocess.run(
            ["node", "audit.mjs", f"http://127.0.0.1:{port}/graphql", token],
            cwd=AUDIT,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)

    summary = json.loads(audit.stdout.strip().splitlines()[-1])
    assert summary["ok"] > 50, audit.stdout + audit.stderr
    assert (summary["warn"], summary["error"]) == (0, 0), audit.stdout + audit.stderr
