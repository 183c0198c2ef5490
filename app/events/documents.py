"""A record as history compares and patches it: plain JSON, actors by canonical name."""

from datetime import date, datetime, timedelta
from typing import Any

from app.core.tables import event_table

# The record as history shows it: every stored field but the server's bookkeeping and what is
# derived from the others; the table marks them (app.core.tables.DOCUMENT), in its order.
DOCUMENT_COLUMNS = tuple(
    column.name for column in event_table.columns if column.info.get("document")
)


def jsonable(value: Any) -> Any:
    """Dates and datetimes as ISO strings, recursively; what the API's JSON would hold."""
    if isinstance(value, datetime) and value.utcoffset() == timedelta(0):
        return value.isoformat().replace("+00:00", "Z")  # as pydantic writes UTC
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def document(columns: Any, actors: list[dict[str, str]]) -> dict[str, Any]:
    """The record as history compares it: plain JSON values, actors by canonical name."""
    doc = {column: jsonable(columns[column]) for column in DOCUMENT_COLUMNS}
    doc["actors"] = actors
    doc.update(columns["details"])
    return doc
