"""`fields=`: which fields of each record an answer carries."""

from typing import Any

from pydantic import Field

from app.core.errors import ErrorItem, InvalidRequest
from app.core.normalize import closest
from app.events.schemas import KIND_OUT_MODELS
from app.exports.columns import BY_NAME

# `fields=`, as a field of a query model.
FIELDS: Any = Field(
    default=None,
    max_length=100,
    description="Only these fields, comma-separated or repeated (e.g. `id,date,province`). "
    "JSON and NDJSON take the record's fields; CSV and GeoJSON the flat columns.",
    examples=[["id,date,province,fatalities"]],
)

# Every field a record of any kind may carry in JSON.
RECORD_FIELDS = {name for model in KIND_OUT_MODELS.values() for name in model.model_fields}


def selected(values: list[str] | None, *, flat: bool) -> list[str] | None:
    """The chosen field names in the order given, or None for all; 422 naming unknown ones."""
    if not values:
        return None
    known = BY_NAME.keys() if flat else RECORD_FIELDS
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise InvalidRequest(
            [
                ErrorItem(
                    in_="query",
                    name="fields",
                    detail=f"Unknown field {name!r}." if name else "Name at least one field.",
                    suggestions=closest(name, sorted(known)) if name else sorted(known)[:10],
                )
                for name in unknown or [""]
            ]
        )
    return list(dict.fromkeys(names))
