"""Partnerships: a school, a lead provider and a delivery partner in one cohort (domain.md section 4).

``queries`` reads them (scoped to the calling lead provider); ``actions`` creates and updates them.
"""
