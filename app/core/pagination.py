"""Opaque keyset cursors, signed so a client can neither forge one nor reuse it on other filters."""

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Generator
from contextlib import closing
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request, Response
from pydantic import Field

from app.core.errors import invalid

T = TypeVar("T")


def fingerprint(value: Any) -> str:
    """A short stable hash of the filters a cursor belongs to."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def encode_cursor(secret: bytes, position: dict[str, Any], scope: str) -> str:
    body = _b64(json.dumps({**position, "s": scope}, separators=(",", ":")).encode())
    signature = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest()[:18])
    return f"{body}.{signature}"


def decode_cursor(secret: bytes, token: str, scope: str) -> dict[str, Any]:
    """The position a cursor holds; 422 if it was tampered with or made for other filters."""
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(secret, body.encode(), hashlib.sha256).digest()[:18])
    if not hmac.compare_digest(signature.encode(), expected.encode()):
        raise invalid("query", "cursor", "This cursor is not valid: pass next_cursor unchanged.")
    try:
        payload = json.loads(_unb64(body))
    except (binascii.Error, ValueError) as error:
        raise invalid("query", "cursor", "This cursor is not valid.") from error
    if not isinstance(payload, dict) or payload.pop("s", None) != scope:
        raise invalid(
            "query",
            "cursor",
            "This cursor belongs to a query with other filters; start again without a cursor.",
        )
    return payload


# A page's size and cursor, as fields of a query model and as plain query parameters.
LIMIT_FIELD: Any = Field(
    default=50, ge=1, le=1000, description="Items per page (1 to 1000).", examples=[50]
)
CURSOR_FIELD: Any = Field(
    default=None,
    max_length=512,
    description="`next_cursor` of the previous page.",
    examples=["eyJkIjoi..."],
)
Limit = Annotated[
    int, Query(ge=1, le=1000, description="Items per page (1 to 1000).", examples=[50])
]
Cursor = Annotated[
    str | None,
    Query(
        max_length=512, description="`next_cursor` of the previous page.", examples=["eyJkIjoi..."]
    ),
]


class Pager:
    """Cursors for one list request: where to continue from, and the next page's cursor + Link."""

    def __init__(self, request: Request, response: Response, filters: Any) -> None:
        self.request, self.response = request, response
        self.secret: bytes = request.app.state.settings.signing_secret
        self.scope = fingerprint(filters)

    def position(self, cursor: str | None) -> dict[str, Any] | None:
        return None if cursor is None else decode_cursor(self.secret, cursor, self.scope)

    def next_cursor(self, position: dict[str, Any]) -> str:
        cursor = encode_cursor(self.secret, position, self.scope)
        url = self.request.url.include_query_params(cursor=cursor)
        self.response.headers["Link"] = f'<{url}>; rel="next"'
        return cursor


def page_of(rows: Generator[T], skip: int, limit: int, *, count_all: bool) -> tuple[list[T], int]:
    """The rows of one page of a stream, and how many rows it has (counted to its end only if
    `count_all`; else the count stops with the page, and the stream is closed there)."""
    data, total = [], 0
    with closing(rows):
        for row in rows:
            if skip <= total < skip + limit:
                data.append(row)
            total += 1
            if total >= skip + limit and not count_all:
                break
    return data, total
