"""The deterministic sandbox data set providers test against."""
