"""Kept only for tests/domain/test_declarations.py, which another change is editing: it still imports the
world's fixtures from here. Its home is tests.fixtures.declaration_world; delete this once nothing imports it."""

from tests.fixtures.declaration_world import World, WorldDatabase, build_world, world, world_db

__all__ = ["World", "WorldDatabase", "build_world", "world", "world_db"]
