"""UCDP's API (GET /api/gedevents/<version>) over our records: app/ucdp/README.md."""
