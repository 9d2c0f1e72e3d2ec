"""The Lead provider API 2.0.0: a route table and its serializers over the shared legacy handlers."""
