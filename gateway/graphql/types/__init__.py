"""GraphQL object types, one module per resource, each with its root query fields."""
