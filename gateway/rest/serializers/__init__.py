"""Plain functions from domain rows to published attribute dictionaries, one per resource and shape."""
