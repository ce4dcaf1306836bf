"""Schemas of the key admin API; `ApiKeyCreated` is the only one that carries a plaintext key."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from resync.db.models import ApiKey
from resync.ingest.payload import FREE_TEXT_PATTERN, WorkstationName
from resync.keys.admin import key_status
from resync.keys.format import expand_scopes

KeyStatus = Literal["active", "revoked", "expired"]
Name = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, min_length=1, max_length=100, pattern=FREE_TEXT_PATTERN
    ),
]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=500, pattern=FREE_TEXT_PATTERN)
]


class ApiKeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    description: Description | None = None
    scopes: list[str] = Field(min_length=1, examples=[["metrics:write"]])
    expires_in_days: int | None = Field(default=None, ge=1, le=3650)
    workstations: list[WorkstationName] | None = Field(
        default=None,
        max_length=1000,
        description="The FTAs whose samples the key may post; default: any",
        examples=[["WS-PROD-01"]],
    )

    @field_validator("scopes")
    @classmethod
    def known_scopes(cls, scopes: list[str]) -> list[str]:
        return expand_scopes(scopes)


class ApiKeyRotate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    grace_period_hours: float = Field(
        default=24, ge=0, le=720, description="How long the old key keeps working"
    )


class ApiKeyPublic(BaseModel):
    """A key as the admin sees it: never the plaintext, never the hash."""

    id: uuid.UUID
    name: str
    description: str | None
    key_prefix: str
    scopes: list[str]
    workstations: list[str] | None = Field(
        description="The FTAs whose samples the key may post; null: any"
    )
    status: KeyStatus
    created_at: datetime
    created_by: str | None
    expires_at: datetime | None
    revoked_at: datetime | None
    revoked_by: str | None
    revoked_reason: str | None
    last_used_at: datetime | None
    usage_count: int
    grace_until: datetime | None
    replaced_by_id: uuid.UUID | None
    rotated_from_id: uuid.UUID | None

    @classmethod
    def of(cls, record: ApiKey) -> "ApiKeyPublic":
        fields = {name: getattr(record, name) for name in cls.model_fields if name != "status"}
        return cls(**fields, status=key_status(record))


class ApiKeysPublic(BaseModel):
    data: list[ApiKeyPublic]
    count: int


class ApiKeyCreated(ApiKeyPublic):
    key: str = Field(description="The full key: shown this once, never stored or returned again")

    @classmethod
    def of_new(cls, record: ApiKey, plaintext: str) -> "ApiKeyCreated":
        return cls(**ApiKeyPublic.of(record).model_dump(), key=plaintext)


class ApiKeyRotated(ApiKeyCreated):
    previous_key: ApiKeyPublic = Field(description="The replaced key, valid until its grace_until")


class ApiKeyEventPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    key_id: uuid.UUID
    event: Literal["created", "revoked", "rotated", "deleted", "first_use"]
    occurred_at: datetime
    actor: str | None
    client_address: str | None
    detail: dict[str, Any] | None


class ApiKeyEventsPublic(BaseModel):
    data: list[ApiKeyEventPublic]
    count: int


class ApiKeyBrief(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    key_prefix: str
    usage_count: int
    last_used_at: datetime | None
    created_at: datetime


class ApiKeyStats(BaseModel):
    total: int
    active: int
    revoked: int
    expired: int
    expiring_within_7_days: int
    requests_last_24h: int
    most_used: list[ApiKeyBrief]
    recently_created: list[ApiKeyBrief]
