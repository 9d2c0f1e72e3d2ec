"""The Lead provider API 3.0.0, as a thin face over the domain: parse, call, serialise."""
