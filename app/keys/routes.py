"""/v1/keys: key management over the API, for keys with the admin scope."""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response, status
from pydantic import BaseModel, Field, StringConstraints

from app.core.deps import WriteSessionDep
from app.core.errors import PROBLEMS, Problem
from app.core.settings import Scope
from app.core.types import Name, examples_config
from app.keys import service
from app.keys.auth import AdminKey

router = APIRouter(prefix="/v1/keys", tags=["keys"])

_KEY: dict[str, Any] = {
    "id": 3,
    "name": "field-team",
    "scope": "write",
    "prefix": "ce_3Jx9aQz",
    "created_at": "2021-05-05T08:00:00Z",
    "revoked_at": None,
}


class KeyIn(BaseModel):
    """A key to create."""

    model_config = examples_config({"name": "field-team", "scope": "write"}, forbid_extra=True)

    name: Annotated[Name, StringConstraints(max_length=100)] = Field(  # the column's length
        description="A unique name; history records it with each change.",
        examples=["field-team"],
    )
    scope: Scope = Field(
        description="read, write (create, edit, delete) or admin (also keys).", examples=["write"]
    )


class KeyOut(BaseModel):
    """A key, without its secret."""

    model_config = examples_config(_KEY)

    id: int = Field(description="The key's id.", examples=[3])
    name: str = Field(description="The key's name.", examples=["field-team"])
    scope: Scope = Field(description="What the key may do.", examples=["write"])
    prefix: str = Field(
        description="The first characters of the secret, to tell keys apart.",
        examples=["ce_3Jx9aQz"],
    )
    created_at: datetime = Field(
        description="When it was made (UTC).", examples=["2021-05-05T08:00:00Z"]
    )
    revoked_at: datetime | None = Field(
        description="When it was revoked, if it was.", examples=[None]
    )


class NewKey(KeyOut):
    """A new key with its secret, shown this once: only a hash is kept."""

    model_config = examples_config(_KEY | {"secret": "ce_3Jx9aQz..."})

    secret: str = Field(
        description="Send as `Authorization: Bearer <secret>`.", examples=["ce_3Jx9aQz..."]
    )


class KeyList(BaseModel):
    """Every key kept in the database (keys from CE_API_KEYS are not listed)."""

    model_config = examples_config({"items": [_KEY]})

    items: list[KeyOut] = Field(description="The keys, by name.", examples=[[_KEY]])


def _out(info: service.KeyInfo) -> dict[str, Any]:
    return {
        "id": info.id,
        "name": info.name,
        "scope": info.scope,
        "prefix": info.prefix,
        "created_at": info.created_at,
        "revoked_at": info.revoked_at,
    }


_ADMIN_PROBLEMS: dict[int | str, dict[str, Any]] = {
    **PROBLEMS,
    401: {"model": Problem, "description": "No API key, an unknown or a revoked one."},
    403: {"model": Problem, "description": "The API key lacks the admin scope."},
}


@router.get("", response_model=KeyList, responses=_ADMIN_PROBLEMS)
def list_keys(_key: AdminKey, session: WriteSessionDep) -> dict[str, Any]:
    """List API keys (names, scopes, prefixes; never secrets)."""
    return {"items": [_out(k) for k in service.list_keys(session=session)]}


@router.post(
    "",
    response_model=NewKey,
    status_code=status.HTTP_201_CREATED,
    responses=_ADMIN_PROBLEMS | {409: {"model": Problem, "description": "The name is taken."}},
)
def create_key(
    _key: AdminKey, key_in: KeyIn, session: WriteSessionDep, request: Request
) -> dict[str, Any]:
    """Create an API key; the answer holds its secret, which is never shown again."""
    reserved = {k.name for k in request.app.state.settings.parsed_api_keys}
    info, secret = service.create_key(
        session=session, name=key_in.name, scope=key_in.scope, reserved=reserved
    )
    return _out(info) | {"secret": secret}


@router.delete(
    "/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=_ADMIN_PROBLEMS | {404: {"model": Problem, "description": "No such key."}},
)
def revoke_key(
    _key: AdminKey,
    name: Annotated[
        str, Path(max_length=200, description="The key's name.", examples=["field-team"])
    ],
    session: WriteSessionDep,
) -> Response:
    """Revoke an API key: from now on it gets 401."""
    service.revoke_key(session=session, name=name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
