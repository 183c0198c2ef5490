"""conflict-events: a self-hostable REST API for conflict-event records."""

__version__ = "0.1.0"
