"""GET /v1/actors: the actor registry with aliases and event counts."""

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from app.actors import service
from app.core.deps import SessionDep
from app.core.errors import PROBLEMS
from app.core.pagination import Cursor, Pager
from app.core.types import Name, examples_config

router = APIRouter(prefix="/v1", tags=["actors"])


_ALIAS: dict[str, Any] = {"name": "Taleban", "source": "ucdp"}
_ACTOR: dict[str, Any] = {"id": 1, "name": "Taliban", "aliases": [_ALIAS], "event_count": 5}


class ActorAliasOut(BaseModel):
    """Another name for the actor, and who uses it."""

    model_config = examples_config(_ALIAS)

    name: str = Field(description="The alias.", examples=["Taleban"])
    source: str | None = Field(description="Who uses this name, where known.", examples=["ucdp"])


class ActorOut(BaseModel):
    """An actor with its aliases and how many events involve it."""

    model_config = examples_config(_ACTOR)

    id: int = Field(description="The actor's id.", examples=[1])
    name: str = Field(description="Canonical name.", examples=["Taliban"])
    aliases: list[ActorAliasOut] = Field(
        description="Other names that find this actor.",
        examples=[[_ALIAS]],
    )
    event_count: int = Field(description="Events involving the actor, in any role.", examples=[5])


class ActorPage(BaseModel):
    """One page of actors, by name."""

    model_config = examples_config({"items": [_ACTOR], "next_cursor": None})

    items: list[ActorOut] = Field(
        description="The actors.",
        examples=[[_ACTOR]],
    )
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null on the last page.", examples=[None]
    )


@router.get("/actors", response_model=ActorPage, responses=PROBLEMS)
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
    cursor: Cursor = None,
) -> dict[str, Any]:
    """List actors with their aliases and event counts."""
    pager = Pager(request, response, {"actors": q})
    position = pager.position(cursor)
    after = None if position is None else (str(position["k"]), int(position["i"]))
    rows = service.list_actors(session=session, query=q, after=after, limit=limit)
    page = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        key, actor_id = service.actor_sort_key(session=session, actor_id=page[-1].id)
        next_cursor = pager.next_cursor({"k": key, "i": actor_id})
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
