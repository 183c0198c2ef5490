"""Exports of any /v1/events query: CSV (with HXL hashtags), GeoJSON and NDJSON, streamed."""
