"""The GraphQL face: Strawberry types, loaders, connections and mutations over the domain."""
