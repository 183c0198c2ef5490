"""GET /healthz."""
