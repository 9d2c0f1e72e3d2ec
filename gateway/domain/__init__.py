"""Business rules and scoped queries, one module or package per resource."""
