"""Persistence: SQLModel tables, the async engine, and Alembic migrations. Knows nothing of HTTP or GraphQL."""
