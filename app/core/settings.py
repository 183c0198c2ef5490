"""Every setting the service reads, from the environment, in one place."""

import contextlib
import os
import secrets
from enum import StrEnum
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


def _shipped(folder: str) -> Path:
    """`seeds/` or `migrations/`, which stay at the top of the repository: a wheel carries them
    inside the package, as app/bundled/<folder> (pyproject.toml maps them there); a checkout or
    an editable install reads them where they are."""
    bundled = Path(str(resources.files("app"))) / "bundled" / folder
    return bundled if bundled.is_dir() else REPO_ROOT / folder


SEEDS_DIR = _shipped("seeds")
MIGRATIONS_DIR = _shipped("migrations")


class Scope(StrEnum):
    """What an API key may do; each scope includes the ones before it."""

    READ = "read"
    WRITE = "write"
    ADMIN = "admin"

    def allows(self, needed: "Scope") -> bool:
        order = list(Scope)
        return order.index(self) >= order.index(needed)


class ApiKey:
    """A key configured in `CE_API_KEYS` as `name:scope:secret`."""

    __slots__ = ("name", "scope", "secret")

    def __init__(self, name: str, scope: Scope, secret: str) -> None:
        self.name = name
        self.scope = scope
        self.secret = secret


# Words that mark a secret as an example or placeholder, not a secret anyone made.
_PLACEHOLDERS = (
    "change",
    "replace",
    "example",
    "secret",
    "default",
    "placeholder",
    "test-",
    "xxxx",
    "1234",
)


def _looks_like_a_default(secret: str) -> bool:
    lowered = secret.lower()
    return any(word in lowered for word in _PLACEHOLDERS) or len(set(secret)) < 8


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CE_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "CE_DATABASE_URL"),
        description="SQLAlchemy URL; default: an SQLite file in the data folder.",
    )
    data_dir: Path = Path("data")
    host: str = "127.0.0.1"
    port: int = 8000
    environment: Literal["development", "production"] = "development"
    auto_seed: bool = True
    seeds_dir: Path = SEEDS_DIR
    # An Alembic configuration (a pyproject.toml with [tool.alembic], or an .ini file) to
    # migrate with instead of the migrations this version ships (app.ops.schema.alembic_config).
    migrations_config: Path | None = None
    api_keys: str = ""
    read_requires_key: bool = False
    # Wrong API keys an address may present a minute; then 429, with its keys unchecked, until
    # the minute ends (0: no limit). Counted per process (each worker keeps its own).
    auth_failures_per_minute: int = Field(default=30, ge=0)
    # Reverse proxies whose X-Forwarded-For (and -Proto) `serve` trusts, comma-separated (or *);
    # empty: none, and a client's address is the connection's.
    forwarded_allow_ips: str = ""
    max_body_bytes: int = 16 * 1024 * 1024
    cursor_secret: str | None = None
    sqlite_busy_timeout_ms: int = 30_000
    # How long a query may take to produce its first row in the server (0: no limit).
    query_time_limit_ms: int = Field(default=10_000, ge=0)
    # Origins allowed to call the API from a browser (CORS), comma-separated; empty: none.
    cors_origins: str = ""
    # One JSON line per request on stderr (never a key or the `key` parameter).
    access_log: bool = True
    # SQLite's page cache per connection, filled only as pages are read.
    sqlite_cache_mb: int = Field(default=8, ge=1, le=4096)
    # All of SQLite's memory in the process (every connection's cache), a soft bound: over it,
    # SQLite reuses cache pages instead of allocating more. 0: no bound.
    sqlite_memory_mb: int = Field(default=16, ge=0, le=65536)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> "Settings":
        if self.environment == "production":
            if not self.cursor_secret or len(self.cursor_secret) < 32:
                raise ValueError(
                    "CE_CURSOR_SECRET of at least 32 characters is required in production"
                )
            secrets_given = [self.cursor_secret, *(key.secret for key in self.parsed_api_keys)]
            if any(_looks_like_a_default(secret) for secret in secrets_given):
                raise ValueError(
                    "A secret in CE_CURSOR_SECRET or CE_API_KEYS is an example or placeholder "
                    "(from the docs, the Dockerfile or a test): make a new one, e.g. with "
                    "`python -c 'import secrets; print(secrets.token_urlsafe(32))'`"
                )
            if "*" in self.parsed_cors_origins:
                raise ValueError("CE_CORS_ORIGINS=* is refused in production: name the origins")
        for key in self.parsed_api_keys:
            if len(key.secret) < 16:
                raise ValueError(f"API key {key.name!r} is shorter than 16 characters")
        return self

    @property
    def sqlalchemy_url(self) -> str:
        url = self.database_url or f"sqlite:///{self.data_dir / 'conflict-events.db'}"
        # Plain postgresql:// would pick psycopg2, which we do not ship.
        for prefix in ("postgresql://", "postgres://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @property
    def parsed_cors_origins(self) -> list[str]:
        return [origin.strip() for origin in self.cors_origins.split(",") if origin.strip()]

    @cached_property
    def parsed_api_keys(self) -> tuple[ApiKey, ...]:
        keys = []
        for entry in filter(None, (part.strip() for part in self.api_keys.split(","))):
            name, _, rest = entry.partition(":")
            scope, _, secret = rest.partition(":")
            if not (name and secret) or scope not in Scope.__members__.values():
                raise ValueError("CE_API_KEYS entries look like name:read|write|admin:secret")
            keys.append(ApiKey(name, Scope(scope), secret))
        return tuple(keys)

    @cached_property
    def signing_secret(self) -> bytes:
        """The cursor-signing secret: configured, or made once and kept in the data folder.

        Keeping it on disk makes cursors survive restarts and work across the workers of one
        machine; several machines must share `CE_CURSOR_SECRET`.
        """
        if self.cursor_secret:
            return self.cursor_secret.encode()
        path = self.data_dir / ".cursor-secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            candidate = path.with_name(f".cursor-secret.{secrets.token_hex(4)}")
            candidate.touch(mode=0o600)  # a secret: readable by the service's user only
            candidate.write_text(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):  # another worker made it first
                os.link(candidate, path)
            candidate.unlink()
        return path.read_text().strip().encode()
