"""Request bodies parsed and validated in one pass by pydantic-core (no json.loads first).

FastAPI decodes a body with the standard library and then validates the Python objects; on the
ingest path that decoding is a sixth of the CPU. These routes read the raw bytes instead and
document their body in OpenAPI themselves, and hold the body to plain JSON: declared as
`application/json`, not compressed, and with no key twice in an object (which pydantic would
read as the last one).
"""

from collections.abc import Callable, Coroutine
from typing import Any

import jiter
from fastapi import FastAPI, HTTPException, Request, status
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError


def json_body(adapter: TypeAdapter[Any]) -> Callable[[Request], Coroutine[Any, Any, Any]]:
    """A dependency that returns the request body validated by `adapter` (422 as FastAPI's)."""

    async def parse(request: Request) -> Any:
        return validate_body(adapter, await read_json_body(request))

    return parse


async def read_json_body(request: Request) -> bytes:
    """The body of a request that declares plain JSON (415 otherwise), with no duplicate key."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != "application/json":
        raise HTTPException(
            status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="send the body as JSON with Content-Type: application/json",
        )
    if request.headers.get("content-encoding", "identity").strip().lower() != "identity":
        raise HTTPException(
            status_code=status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            detail="send the body uncompressed (no Content-Encoding)",
        )
    body = await request.body()
    try:
        jiter.from_json(body, catch_duplicate_keys=True)
    except ValueError as error:
        if str(error).startswith("Detected duplicate key"):
            raise RequestValidationError(
                [{"type": "json_invalid", "loc": ("body",), "msg": str(error), "input": None}]
            ) from None
    return body


def validate_body(adapter: TypeAdapter[Any], body: bytes) -> Any:
    """`body` validated by `adapter`; a RequestValidationError (FastAPI's 422) if it fails."""
    try:
        return adapter.validate_json(body)
    except ValidationError as error:
        raise RequestValidationError(
            [{**item, "loc": ("body", *item["loc"])} for item in error.errors()]
        ) from None


def request_body(schema: dict[str, Any]) -> dict[str, Any]:
    """`openapi_extra` for a route whose JSON body is described by `schema`."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}


def component_ref(model: type[BaseModel]) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def add_component_schemas(app: FastAPI, *models: type[BaseModel]) -> None:
    """Publish `models` (and the models they nest) under components/schemas in the OpenAPI."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            for model in models:
                model_schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
                components.update(model_schema.pop("$defs", {}))
                components[model.__name__] = model_schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
