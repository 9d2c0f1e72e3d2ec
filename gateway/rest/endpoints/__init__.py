"""REST handlers, one module per resource: parse parameters, call the domain, serialise."""
