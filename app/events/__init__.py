"""Event records: API models, query filters, the service that stores and reads them, routes."""
