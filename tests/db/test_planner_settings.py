"""The planner settings every PostgreSQL connection of the gateway runs with (gateway.db.engine.PLANNER_SETTINGS).

They decide whether a page's statements walk indexes bounded by the page or scan whole tables (what the bench's
growth from scale 5 to 100 shows), so a connection that lost them would be slow only at scale: checked here.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from tests.conftest import IS_POSTGRES

pytestmark = pytest.mark.skipif(not IS_POSTGRES, reason="PostgreSQL's planner settings")


async def test_every_connection_plans_without_jit_or_parallel_workers_and_with_ssd_page_costs(readonly_db):
    async with readonly_db.engine.connect() as conn:
        shown = {
            name: (await conn.execute(text(f"SHOW {name}"))).scalar_one()
            for name in ("jit", "max_parallel_workers_per_gather", "random_page_cost")
        }
    assert shown == {"jit": "off", "max_parallel_workers_per_gather": "0", "random_page_cost": "1.1"}
