"""Rows waiting to be written, grouped by table."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

Row = dict[str, Any]


class Batch:
    def __init__(self) -> None:
        self.tables: dict[str, list[Row]] = defaultdict(list)

    def add(self, table: str, row: Row) -> Row:
        self.tables[table].append(row)
        return row

    def extend(self, other: Batch) -> None:
        for table, rows in other.tables.items():
            self.tables[table].extend(rows)

    def __len__(self) -> int:
        return sum(len(rows) for rows in self.tables.values())
