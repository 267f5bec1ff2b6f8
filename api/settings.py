"""The platform's one settings class: every knob, from the environment (prefix `SIC_`) or flags.

Built once by the CLI or the app factory and passed down; nothing reads os.environ elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph.base import GraphStore
from sic.errors import ConfigError
from sic.iris import normalise_base
from sic.vocab import DEFAULT_BASE


def default_store_path() -> Path:
    """The per-user store folder used when neither --store nor SIC_STORE is given."""
    return Path(platformdirs.user_data_dir("sic-kg")) / "store"


class Settings(BaseSettings):
    """Where the data lives, how the service behaves, and its limits."""

    model_config = SettingsConfigDict(env_prefix="SIC_", extra="ignore")

    store: Path = Field(default_factory=default_store_path)
    base_iri: str = DEFAULT_BASE
    endpoint: str | None = None
    update_endpoint: str | None = None
    gsp_endpoint: str | None = None
    endpoint_user: str | None = None
    endpoint_password: SecretStr | None = None
    endpoint_token: SecretStr | None = None
    endpoint_timeout: float = Field(default=120.0, gt=0)
    # the service token, for automation (scripts, loads): it may write everything
    write_token: SecretStr | None = None
    # the account database (SQLite); default: accounts.sqlite3 beside the store folder
    accounts_db: Path | None = None
    session_hours: float = Field(default=12.0, gt=0)  # a sign-in lasts this long at most
    signin_attempts: int = Field(default=5, gt=0)  # failures per username and address a minute
    query_timeout: float = Field(default=10.0, gt=0)
    update_timeout: float = Field(default=30.0, gt=0)  # a write's evaluation and validation
    # a background fit of the rankings' weights after each write (queries.learned); 0: none,
    # the hand-set weights are used
    fit_timeout: float = Field(default=600.0, ge=0)
    result_limit: int = Field(default=10_000, gt=0)
    cors_origins: list[str] = Field(default_factory=list)
    query_workers: int = Field(default=0, ge=0)  # processes running queries; 0: one per core, >= 4
    # processes answering HTTP beside the service, each reading SPARQL queries and linked data
    # from its own snapshot of the memory copy (api.http_processes); None: one per core, 0: none
    http_processes: int | None = Field(default=None, ge=0)
    answer_cache_mb: float = Field(default=64.0, ge=0)  # SPARQL answers kept per version; 0: off
    # the network projections built in the service and followed write by write (queries.network
    # keep_up), so a question right after a write finds them built; off: each worker builds them
    keep_projections: bool = True
    # largest store (published triples) the service also holds in memory to read from; 0: never
    memory_copy_limit: int = Field(default=2_000_000, ge=0)  # ~1 GB per million with 4 workers
    data: list[Path] = Field(default_factory=list)  # what `sic serve` loads into an empty store
    # with the reference workbook (no --data), also the bundled open-licence IATI sample: real
    # projects and funders, reconciled and linked (about 20 s more, once, on an empty store)
    iati_sample: bool = True
    # limits of a request (api.limits); each refusal names its setting
    max_query_kb: int = Field(default=512, gt=0)  # the text of a query (and /sparql bodies)
    max_update_mb: float = Field(default=16.0, gt=0)  # a SPARQL Update request
    max_upload_mb: float = Field(default=64.0, gt=0)  # a Graph Store Protocol body
    max_body_kb: int = Field(default=1024, gt=0)  # any other body (JSON API)
    max_nesting: int = Field(default=64, gt=0)  # groups, lists, JSON or XML elements deep
    max_answer_mb: float = Field(default=256.0, gt=0)  # the bytes of one answer
    # ?asOf= (api.as_of): snapshots of past moments kept in memory, and the most triples one
    # may be rebuilt from (the present plus the changes undone); past that, 413
    as_of_snapshots: int = Field(default=4, ge=0)
    as_of_max_triples: int = Field(default=2_000_000, gt=0)

    def open_store(self) -> GraphStore:
        """The store these settings name: the remote server when an endpoint is set, else the
        embedded store. The one place the CLI and the service open a store.

        :raises StoreError: if it cannot be opened.
        """
        from graph.factory import open_store

        return open_store(self.store, **self.store_options())

    def accounts_path(self) -> Path:
        """Where the account database is: SIC_ACCOUNTS_DB, else beside the store folder (so
        each store has its own accounts, and they are never inside the store's own files)."""
        return self.accounts_db or self.store.parent / "accounts.sqlite3"

    def store_options(self) -> dict[str, Any]:
        """Keyword arguments for graph.factory.open_store: the remote server when one is set."""
        secret = self.endpoint_password
        token = self.endpoint_token
        return {
            "base": self.base_iri,
            "endpoint": self.endpoint or None,
            "update_endpoint": self.update_endpoint or None,
            "gsp_endpoint": self.gsp_endpoint or None,
            "user": self.endpoint_user or None,
            "password": secret.get_secret_value() if secret is not None else None,
            "token": token.get_secret_value() if token is not None else None,
            "timeout": self.endpoint_timeout,
            "max_nesting": self.max_nesting,
        }

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) IRI")
        return normalise_base(value)

    @field_validator("write_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None:
            return None
        secret = value.get_secret_value()
        if secret.strip() != secret or not secret.strip():
            raise ValueError("must not be blank nor begin or end with spaces")
        if secret.lower() in {"changeme", "changethis", "secret", "password"}:
            raise ValueError("must be a real secret, not a placeholder")
        if len(secret) < 16:
            raise ValueError("must be at least 16 characters long")
        return value


def load_settings(**overrides: Any) -> Settings:
    """The settings from the environment and `overrides`, or one line saying what is wrong.

    :raises ConfigError: naming each setting that is wrong and what it needs (never its
        value: it may be a secret).
    """
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False, include_input=False):
            name = "SIC_" + "_".join(str(part) for part in error["loc"][:1]).upper()
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name} {message}")
        raise ConfigError("configuration error: " + "; ".join(problems)) from None
