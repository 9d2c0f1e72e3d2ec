"""What the Lead provider API v1 and v2 share: their flat participant record, their errors,
their endpoints and their served documents. ``gateway/rest/v1`` and ``gateway/rest/v2`` are route tables over it."""
