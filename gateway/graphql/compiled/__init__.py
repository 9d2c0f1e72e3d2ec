"""Compiled execution of GraphQL reads (see executor.py): a plan per document, a load phase, generated projection."""

from gateway.graphql.compiled.executor import CompiledExecutor

__all__ = ["CompiledExecutor"]
