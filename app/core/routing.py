"""Shared request plumbing for /v1 routes: refusing unknown query parameters, and a query model
read straight from the query string (for a hot route, without FastAPI's per-parameter work)."""

from functools import cache
from typing import Any, TypeVar, get_args, get_origin

from fastapi import Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from pydantic import BaseModel, ValidationError
from starlette.types import Receive, Scope, Send

from app.core.errors import invalid, query_errors
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
        documented = (route.openapi_extra or {}).get("parameters", [])
        known = frozenset(_walk(route.dependant)) | {
            p["name"] for p in documented if p.get("in") == "query"
        }
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


M = TypeVar("M", bound=BaseModel)


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as OpenAPI parameters, as FastAPI documents a declared one."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "schema": field,
            **({"description": field["description"]} if "description" in field else {}),
        }
        for name, field in schema["properties"].items()
    ]


@cache
def _repeatable(model: type[BaseModel]) -> frozenset[str]:
    """The fields of a query model that a parameter may give several times (lists)."""
    return frozenset(
        name
        for name, field in model.model_fields.items()
        if list in (get_origin(field.annotation), *map(get_origin, get_args(field.annotation)))
    )


def parsed_query(model: type[M], request: Request) -> M:
    """The request's query as `model`: a 422 naming each parameter that is wrong. Routes that
    read it so document it with `openapi_extra={"parameters": query_parameters(model)}`."""
    params, repeatable = request.query_params, _repeatable(model)
    given = {
        name: params.getlist(name) if name in repeatable else params[name]
        for name in model.model_fields
        if name in params
    }
    try:
        return model.model_validate(given)
    except ValidationError as error:
        raise query_errors(error) from None


class DirectRoute(APIRoute):
    """A route FastAPI documents like any other (its response model, `openapi_extra`, its
    router's dependencies and security) but answers by calling its endpoint with the request
    alone: no dependency is solved for it, so the endpoint runs its router's checks itself. For
    the hottest route (GET /v1/events), where FastAPI's own handling of a request cost 0.08 ms
    of a 1.2 ms page."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["method"] not in (self.methods or ()):  # 405, as any route answers it
            await super().handle(scope, receive, send)
            return
        response: Response = await self.endpoint(Request(scope, receive, send))
        await response(scope, receive, send)
