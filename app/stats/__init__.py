"""GET /v1/stats: counts and claimed totals of the events any /v1/events query matches."""
