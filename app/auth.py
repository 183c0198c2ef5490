"""API keys: `Authorization: Bearer <key>`, checked in constant time against the configured keys."""

import hashlib
import hmac
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.errors import Forbidden, Unauthorized
from app.settings import ApiKey, Scope, Settings

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key, sent as `Authorization: Bearer <key>`. Writes need the write scope.",
)


def _digest(secret: str) -> bytes:
    return hashlib.sha256(secret.encode()).digest()


def find_key(settings: Settings, presented: str) -> ApiKey | None:
    """The key matching `presented`; every key is compared, so timing tells nothing."""
    wanted = _digest(presented)
    found = None
    for key in settings.parsed_api_keys:
        if hmac.compare_digest(_digest(key.secret), wanted):
            found = key
    return found


def require(scope: Scope) -> Callable[..., ApiKey]:
    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    ) -> ApiKey:
        if credentials is None:
            raise Unauthorized("An API key is required: send `Authorization: Bearer <key>`.")
        key = find_key(request.app.state.settings, credentials.credentials)
        if key is None:
            raise Unauthorized("The API key is not valid.")
        if not key.scope.allows(scope):
            raise Forbidden(f"This API key does not have the '{scope}' scope.")
        return key

    return dependency


WriteKey = Annotated[ApiKey, Depends(require(Scope.WRITE))]
