"""API keys kept in the database (only hashes), managed by `conflict-events keys` and /v1/keys."""
