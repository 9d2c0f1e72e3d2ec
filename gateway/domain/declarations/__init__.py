"""Declarations: milestone claims (domain.md section 6). ``queries`` reads them, ``actions`` writes them."""
