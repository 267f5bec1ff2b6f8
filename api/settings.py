"""The platform's one settings class: every knob, from the environment (prefix `SIC_`) or flags.

Built once by the CLI or the app factory and passed down; nothing reads os.environ elsewhere.
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    write_token: SecretStr | None = None
    query_timeout: float = Field(default=10.0, gt=0)
    result_limit: int = Field(default=10_000, gt=0)
    cors_origins: list[str] = Field(default_factory=list)

    @field_validator("base_iri")
    @classmethod
    def _base_ends_with_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("SIC_BASE_IRI must be an http(s) IRI")
        return normalise_base(value)

    @field_validator("write_token")
    @classmethod
    def _refuse_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value() in {"", "changeme", "changethis"}:
            raise ValueError("SIC_WRITE_TOKEN must be a real secret (at least 16 characters)")
        if value is not None and len(value.get_secret_value()) < 16:
            raise ValueError("SIC_WRITE_TOKEN must be at least 16 characters long")
        return value
