"""The Lead provider API 1.0.0: a route table and its serializers over the shared legacy handlers."""
