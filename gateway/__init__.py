"""Lead provider gateway: GraphQL and Lead provider API 3.0.0 over ECF training data."""
