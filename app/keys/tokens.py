"""OAuth tokens for ACLED's clients (`POST /oauth/token`, app/compat/routes.py), bound to API keys.

A token is stateless: `cet1.<payload>.<signature>`, the payload (base64url JSON) naming the key,
the kind (access or refresh), the expiry in Unix seconds and a fingerprint of the key's secret,
signed with HMAC-SHA256 under the server's signing secret (`Settings.signing_secret`, the one
that signs cursors; the signed text starts with a purpose of its own, so a cursor is never a
token). Nothing is stored: a token is good while its signature holds, it has not expired, and
the key it names still exists with the same secret and is not revoked. Revoking a key (or giving
a configured key another secret) revokes its tokens.

Lifetimes are ACLED's: 24 h for an access token, 14 days for a refresh token.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.engine import Engine

from app.core.settings import Scope, Settings
from app.keys.service import live_key_named, secret_hash

ACCESS_S = 24 * 3600
REFRESH_S = 14 * 24 * 3600
PREFIX = "cet1."
_PURPOSE = b"conflict-events oauth token\x00"
Kind = Literal["access", "refresh"]

# The time, in Unix seconds; tests replace it to make tokens expire without waiting.
clock: Callable[[], float] = time.time


class TokenError(Exception):
    """A token that is not good. `forged`: it does not carry our signature (a guess, counted
    like a wrong key); otherwise it is ours but expired, of the other kind, or its key is gone."""

    def __init__(self, message: str, *, forged: bool = False) -> None:
        super().__init__(message)
        self.forged = forged


@dataclass(frozen=True, slots=True)
class Holder:
    """The key a token speaks for."""

    name: str
    scope: Scope
    fingerprint: str  # of its secret, for the tokens it is issued


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _sign(secret: bytes, body: str) -> str:
    return _b64(hmac.new(secret, _PURPOSE + body.encode(), hashlib.sha256).digest())


def _fingerprint(hashed_secret: str) -> str:
    return hashed_secret[:16]


def fingerprint(key_secret: str) -> str:
    """What a token keeps of its key's secret: 64 bits of its SHA-256, to notice a new secret."""
    return _fingerprint(secret_hash(key_secret))


def _token(secret: bytes, name: str, kind: Kind, expires: int, print_: str) -> str:
    payload = {"n": name, "k": kind, "e": expires, "h": print_}
    body = _b64(json.dumps(payload, separators=(",", ":")).encode())
    return f"{PREFIX}{body}.{_sign(secret, body)}"


def issue(settings: Settings, holder: Holder) -> dict[str, Any]:
    """ACLED's answer to a login: an access and a refresh token for the key `holder`."""
    now, secret = int(clock()), settings.signing_secret
    name, print_ = holder.name, holder.fingerprint
    return {
        "token_type": "Bearer",
        "expires_in": ACCESS_S,
        "access_token": _token(secret, name, "access", now + ACCESS_S, print_),
        "refresh_token": _token(secret, name, "refresh", now + REFRESH_S, print_),
        "refresh_token_expires_in": REFRESH_S,
    }


def is_token(presented: str) -> bool:
    """Whether `presented` has a token's form (anything else sent as a Bearer is an API key)."""
    return presented.startswith(PREFIX)


def _claims(secret: bytes, token: str) -> dict[str, Any]:
    body, _, signature = token.removeprefix(PREFIX).partition(".")
    if not hmac.compare_digest(signature.encode(), _sign(secret, body).encode()):
        raise TokenError("The token is not valid.", forged=True)
    try:
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except (binascii.Error, ValueError):  # signed by us, so never; but never a 500 either
        raise TokenError("The token is not valid.", forged=True) from None
    if not isinstance(claims, dict) or not {"n", "k", "e", "h"} <= claims.keys():
        raise TokenError("The token is not valid.", forged=True)
    return claims


def verify(settings: Settings, engine: Engine, token: str, kind: Kind) -> Holder:
    """The key a good token of `kind` speaks for; TokenError if it is not good."""
    claims = _claims(settings.signing_secret, token)
    if claims["k"] != kind:
        named = {"access": "an access token", "refresh": "a refresh token"}
        raise TokenError(f"This is {named.get(claims['k'], 'a token')}, not {named[kind]}.")
    if claims["e"] <= clock():
        raise TokenError(f"The {kind} token has expired: log in again.")
    holder = _live_key(settings, engine, claims["n"], claims["h"])
    if holder is None:
        raise TokenError("The token's API key was revoked or changed: log in again.")
    return holder


def _live_key(settings: Settings, engine: Engine, name: str, print_: str) -> Holder | None:
    for key in settings.parsed_api_keys:
        if key.name == name:
            same = hmac.compare_digest(_fingerprint(secret_hash(key.secret)), print_)
            return Holder(key.name, key.scope, print_) if same else None
    stored = live_key_named(engine, name)
    if stored is None or not hmac.compare_digest(_fingerprint(stored[1]), print_):
        return None
    return Holder(name, stored[0], print_)
