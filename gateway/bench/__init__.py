"""`gateway bench`: the read path over HTTP, compiled execution vs Strawberry's normal execution vs the floor."""

from gateway.bench.runner import run_bench

__all__ = ["run_bench"]
