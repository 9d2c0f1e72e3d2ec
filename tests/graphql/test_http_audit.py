"""The graphql-http audit suite (npm ``graphql-http``'s auditServer) against a real ``gateway serve``: 0 warnings, 0 errors.

The Node project is tools/graphql-http-audit (scripts/test installs it with ``npm ci``).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.fixtures.served_gateway import served_sandbox

AUDIT = Path(__file__).resolve().parents[2] / "tools" / "graphql-http-audit"


@pytest.mark.skipif(shutil.which("node") is None, reason="the audit runs on Node")
async def test_the_graphql_over_http_audit_reports_no_warning_and_no_error(tmp_path):
    assert (AUDIT / "node_modules" / "graphql-http").is_dir(), "run scripts/test (it runs npm ci in the tools folder)"
    async with served_sandbox(f"sqlite+aiosqlite:///{tmp_path / 'audit.db'}", tmp_path) as served:
        audit = await asyncio.to_thread(
            subprocess.run,
            ["node", "audit.mjs", f"{served.url}/graphql", served.tokens["analyst"]],
            cwd=AUDIT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    summary = json.loads(audit.stdout.strip().splitlines()[-1])
    assert summary["ok"] > 50, audit.stdout + audit.stderr
    assert (summary["warn"], summary["error"]) == (0, 0), audit.stdout + audit.stderr
