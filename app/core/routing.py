"""Shared request plumbing for /v1 routes: refusing unknown query parameters."""

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel

from app.core.errors import invalid
from app.core.normalize import closest


def _walk(dependant: Dependant) -> set[str]:
    names = set()
    for param in dependant.query_params:
        model = param.field_info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):  # a query model's fields
            names |= {field.alias or name for name, field in model.model_fields.items()}
        else:
            names.add(param.alias)
    for sub in dependant.dependencies:
        names |= _walk(sub)
    return names


def _query_names(route: APIRoute) -> frozenset[str]:
    # Kept on the route itself: an id()-keyed cache could hand a new route a dead one's names.
    known: frozenset[str] | None = getattr(route, "_known_query_names", None)
    if known is None:
        known = frozenset(_walk(route.dependant))
        route._known_query_names = known  # type: ignore[attr-defined]
    return known


async def reject_unknown_query_params(request: Request) -> None:
    """A misspelt filter (`provice=Helmand`) must not silently return everything."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return
    known = _query_names(route)
    for name in request.query_params:
        if name not in known:
            raise invalid(
                "query",
                name,
                f"Unknown query parameter {name!r}.",
                suggestions=closest(name, sorted(known)) or sorted(known),
            )
