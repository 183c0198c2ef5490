"""API keys: `Authorization: Bearer <key>`, from CE_API_KEYS or the database's hashed keys.

No key, an unknown or a revoked one: 401; a key without the scope: 403. The answer never says
which keys exist, and configured secrets are compared in constant time. An address that sent too
many wrong keys gets 429 for any key, unchecked, for the rest of the minute (app/auth_limits.py).
"""

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.core.errors import Forbidden, TooManyRequests, Unauthorized
from app.core.routing import reject_unknown_query_params
from app.core.settings import ApiKey, Scope, Settings
from app.keys.limits import failure_limiter
from app.keys.service import stored_key

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key, sent as `Authorization: Bearer <key>`. Writes need the write scope; "
    "reads need a read key only where the server is set to (CE_READ_REQUIRES_KEY).",
)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def find_key(settings: Settings, presented: str) -> ApiKey | None:
    """The configured key matching `presented`; every key is compared, so timing tells nothing."""
    wanted = _digest(presented)
    found = None
    for key in settings.parsed_api_keys:
        if hmac.compare_digest(_digest(key.secret), wanted):
            found = key
    return found


def authenticate(
    request: Request, credentials: HTTPAuthorizationCredentials | None, scope: Scope
) -> ApiKey:
    if credentials is None:
        raise Unauthorized("An API key is required: send `Authorization: Bearer <key>`.")
    # Before any lookup: an address over the limit learns nothing about its key, not even
    # whether it is right, and costs no database query.
    limiter, client = failure_limiter(request.app), client_address(request)
    wait = limiter.retry_after(client)
    if wait is not None:
        raise TooManyRequests(wait)
    presented = credentials.credentials
    key = find_key(request.app.state.settings, presented)
    if key is None:
        stored = stored_key(request.app.state.engine, presented)
        if stored is not None:
            key = ApiKey(stored[0], stored[1], "")
    if key is None:
        limiter.failed(client)
        raise Unauthorized("The API key is not valid.")
    request.state.key_name = key.name  # for the access log: the key's name, never its secret
    if not key.scope.allows(scope):
        raise Forbidden(f"This API key does not have the '{scope}' scope.")
    return key


def authenticate_secret(request: Request, secret: str | None, scope: Scope) -> ApiKey:
    """authenticate, for a key presented elsewhere than the Authorization header (ACLED's `key`
    parameter, UCDP's token header)."""
    credentials = (
        HTTPAuthorizationCredentials(scheme="Bearer", credentials=secret) if secret else None
    )
    return authenticate(request, credentials, scope)


def require(scope: Scope) -> Callable[..., ApiKey]:
    def dependency(request: Request, credentials: Credentials) -> ApiKey:
        return authenticate(request, credentials, scope)

    return dependency


async def read_access(request: Request, credentials: Credentials) -> None:
    """Reads are public unless the server is set to require a read key (CE_READ_REQUIRES_KEY)."""
    if request.method in ("GET", "HEAD") and request.app.state.settings.read_requires_key:
        authenticate(request, credentials, Scope.READ)


async def v1_request(request: Request, credentials: Credentials) -> None:
    """What every /v1 request is checked for first: no unknown query parameter, and a read key
    where reads need one (one dependency, not two: each costs FastAPI's solving per request)."""
    await reject_unknown_query_params(request)
    await read_access(request, credentials)


async def v1_checks(request: Request) -> None:
    """v1_request, for a route that solves no dependency (app.core.routing.DirectRoute)."""
    await v1_request(request, await bearer(request))


WriteKey = Annotated[ApiKey, Depends(require(Scope.WRITE))]
AdminKey = Annotated[ApiKey, Depends(require(Scope.ADMIN))]


def client_address(request: Request) -> str | None:
    """The address failures are counted against (None, with no client known: one shared count)."""
    return request.client.host if request.client else None
