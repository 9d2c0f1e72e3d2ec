"""``page[per_page]`` above 3000 is served as 3000, on a list that is longer than that (domain.md section 3).

The shared contract suite compares a page of 5000 with a page of 3000 on every list, which holds whatever the
cap when no list is longer than 3000; an analyst reads every provider's declarations, more than 3000 of them.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from gateway.db.engine import read_connection
from gateway.db.tables import Declaration
from tests.rest.support import headers_for

DECLARATIONS = "/api/v3/participant-declarations"


async def _ids(client, headers, **params) -> list[str]:
    response = await client.get(DECLARATIONS, params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["data"]]


class TestPageCap:
    @pytest.mark.parametrize("per_page", ["3001", "5000", "1000000"])
    async def test_a_page_above_3000_of_a_longer_list_holds_3000(self, readonly_db, client, per_page):
        async with read_connection(readonly_db.engine) as conn:
            total = await conn.scalar(select(func.count()).select_from(Declaration.__table__))
        assert total > 3000, "the sandbox needs a list longer than the cap"
        headers = await headers_for(readonly_db, None)

        first = await _ids(client, headers, **{"page[per_page]": per_page})
        second = await _ids(client, headers, **{"page[per_page]": per_page, "page[page]": "2"})

        assert len(first) == 3000
        assert first == await _ids(client, headers, **{"page[per_page]": "3000"})
        # The second page starts where the capped first one stopped.
        assert len(second) == min(total - 3000, 3000)
        assert len(set(first) | set(second)) == 3000 + len(second)
