"""GET /v1/actors: the actor registry with aliases and event counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from app.actors import service
from app.db import SessionDep
from app.errors import Problem
from app.events.routes import PROBLEMS
from app.pagination import decode_cursor, encode_cursor, fingerprint
from app.routing import next_link
from app.types import Name

router = APIRouter(prefix="/v1", tags=["actors"])


class ActorAliasOut(BaseModel):
    """Another name for the actor, and who uses it."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Taleban", "source": "ucdp"}]}
    )

    name: str = Field(description="The alias.", examples=["Taleban"])
    source: str | None = Field(description="Who uses this name, where known.", examples=["ucdp"])


class ActorOut(BaseModel):
    """An actor with its aliases and how many events involve it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "name": "Taliban",
                    "aliases": [{"name": "Taleban", "source": "ucdp"}],
                    "event_count": 5,
                }
            ]
        }
    )

    id: int = Field(description="The actor's id.", examples=[1])
    name: str = Field(description="Canonical name.", examples=["Taliban"])
    aliases: list[ActorAliasOut] = Field(
        description="Other names that find this actor.",
        examples=[[{"name": "Taleban", "source": "ucdp"}]],
    )
    event_count: int = Field(description="Events involving the actor, in any role.", examples=[5])


class ActorPage(BaseModel):
    """One page of actors, by name."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "items": [
                        {
                            "id": 1,
                            "name": "Taliban",
                            "aliases": [{"name": "Taleban", "source": "ucdp"}],
                            "event_count": 5,
                        }
                    ],
                    "next_cursor": None,
                }
            ]
        }
    )

    items: list[ActorOut] = Field(
        description="The actors.",
        examples=[
            [
                {
                    "id": 1,
                    "name": "Taliban",
                    "aliases": [{"name": "Taleban", "source": "ucdp"}],
                    "event_count": 5,
                }
            ]
        ],
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.", examples=[None]
    )


@router.get("/actors", response_model=ActorPage, responses=PROBLEMS | {422: {"model": Problem}})
def list_actors(
    request: Request,
    response: Response,
    session: SessionDep,
    q: Annotated[
        Name | None,
        Query(
            description="Only actors whose name or an alias contains this text.",
            examples=["taliban"],
        ),
    ] = None,
    limit: Annotated[
        int, Query(ge=1, le=1000, description="Actors per page.", examples=[100])
    ] = 100,
    cursor: Annotated[
        str | None,
        Query(
            max_length=512, description="`next_cursor` of the previous page.", examples=["eyJ..."]
        ),
    ] = None,
) -> dict[str, Any]:
    """List actors with their aliases and event counts."""
    secret = request.app.state.settings.signing_secret
    scope = fingerprint({"actors": q})
    after = None
    if cursor is not None:
        position = decode_cursor(secret, cursor, scope)
        after = (str(position.get("k")), int(position.get("i", 0)))
    rows = service.list_actors(session=session, query=q, after=after, limit=limit)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        key, actor_id = service.actor_sort_key(session=session, actor_id=page[-1].id)
        next_cursor = encode_cursor(secret, {"k": key, "i": actor_id}, scope)
        response.headers["Link"] = next_link(request, next_cursor)
    return {
        "items": [
            {
                "id": a.id,
                "name": a.name,
                "aliases": [{"name": n, "source": s} for n, s in a.aliases],
                "event_count": a.event_count,
            }
            for a in page
        ],
        "next_cursor": next_cursor,
    }
