"""Mutations: each calls one domain action and returns a payload with the changed object and ``errors``."""
