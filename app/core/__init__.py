"""Plumbing every domain shares: settings, the database engine, errors, paging, middleware.

Nothing here imports a domain (app/README.md).
"""
