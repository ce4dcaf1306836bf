"""Every route of the live API fed adversarial values: no 5xx and no request over a time bound.

Deterministic and bounded, beside the schema-driven pass of test_openapi_fuzz.py: each path and
query parameter in turn, and each top-level field of a valid body in turn (the metrics too), gets
each value of a fixed list (long, nested, NUL, non-finite, huge numbers, odd time zones,
invalid UTF-8); each body route also gets a set of raw bodies no JSON encoder writes.
"""

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx

from tests.support.job_runs import job_run
from tests.support.live_api import LiveApi
from tests.support.payloads import payload

# Well above what any of these requests takes on a busy two-core machine (tens of ms), well below
# what a super-linear step costs on them (seconds). A request over it is sent twice more: a
# super-linear step is slow every time, a machine busy with other work only now and then.
TIME_BOUND_SECONDS = 2.5
ATTEMPTS = 3

PARAMETER_VALUES: list[str | bytes] = [
    "x" * 10_000,
    "{" * 2_000,
    "\x00",
    "FTA1\x00",
    "NaN",
    "-Infinity",
    "1e999",
    "9" * 400,
    "-9223372036854775809",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2024-06-01T12:00:00+23:59",
    "2024-06-01T12:00:00-00:30",
    "2024-02-30T00:00:00Z",
    "../../etc/passwd",
    "'; DROP TABLE api_keys; --",
    b"\xed\xa0\x80",  # a UTF-16 surrogate written as UTF-8: not valid UTF-8
    b"\xff\xfe",
]


def nested(depth: int) -> Any:
    value: Any = "deep"
    for level in range(depth):
        value = [value] if level % 2 else {"a": value}
    return value


FIELD_VALUES: list[Any] = [
    "x" * 70_000,
    "\U0001f642" * 5_000,
    "a\x00b",
    10**30,
    -(2**63) - 1,
    1e308,
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2024-06-01T12:00:00+05:45",
    nested(200),
    None,
    [],
    # Word runs joined by '.' or '-' once made joblog redaction backtrack for seconds.
    "a." * 3_000,
    "10.0.0.1-" * 700,
    "a-" * 3_000,
]
# Enough failures to see a pattern; the rest would only take time.
MAX_FAILURES = 5

RAW_BODIES = [
    b"",
    b"NaN",
    b"1e999",
    b'{"a": Infinity}',
    b'{"a": 1, "a": 2}',
    b'"\\ud800"',
    b"\xff\xfe{}",
    b"[" * 30_000 + b"]" * 30_000,
    b"1" + b"0" * 5_000,
]


def valid_bodies() -> dict[str, Any]:
    """A body each body route accepts, by path template."""
    return {
        "/api/v1/metrics/workstation": payload("FTA1"),
        "/api/v1/metrics/workstation/batch": [payload("FTA1")],
        "/api/v1/jobs/executions": [job_run("FTA1", joblog="RC=8\n")],
        "/api/v1/jobs/failures/{run_id}/resolution": {
            "resolution": "restarted",
            "resolved_by": "o",
        },
        "/api/v1/alerts/{alert_id}/review": {"verdict": "confirmed", "comment": "ok"},
        "/api/v1/admin/api-keys": {"name": "fuzz", "scopes": ["metrics:read"]},
        "/api/v1/admin/api-keys/{key_id}/rotate": {"grace_period_hours": 1},
    }


def default_of(parameter: dict[str, Any]) -> str:
    schema = parameter.get("schema", {})
    if schema.get("format") == "uuid":
        return str(uuid.uuid4())
    if schema.get("type") == "integer":
        return "1"
    return "FTA1"


def encoded(value: str | bytes) -> str:
    return quote(value, safe="")


def url_of(path: str, path_values: dict[str, str], query: dict[str, str]) -> str:
    for name, value in path_values.items():
        path = path.replace(f"{{{name}}}", value)
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def with_field(body: Any, field: str, value: Any) -> Any:
    """`body` (an object, or a list of one) with `field` (`metrics.x` inside metrics) as `value`."""
    item = json.loads(json.dumps(body[0] if isinstance(body, list) else body))
    if "." in field:
        part, name = field.split(".")
        item[part][name] = value
    else:
        item[field] = value
    return [item] if isinstance(body, list) else item


def fields_of(body: Any) -> list[str]:
    item = body[0] if isinstance(body, list) else body
    return [*item, *(f"metrics.{name}" for name in item.get("metrics", {}))]


def requests(schema: dict[str, Any]) -> Iterator[tuple[str, str, bytes]]:
    """(method, url, body) for every operation: raw bodies, each parameter, then each body
    field, with each value in turn."""
    bodies = valid_bodies()
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            parameters = operation.get("parameters", [])
            defaults = {p["name"]: encoded(default_of(p)) for p in parameters if p["in"] == "path"}
            body = bodies.get(path)
            text = json.dumps(body).encode() if body is not None else b""
            if "requestBody" in operation:
                for raw in RAW_BODIES:
                    yield method, url_of(path, defaults, {}), raw
            for parameter in parameters:
                for value in PARAMETER_VALUES:
                    name = parameter["name"]
                    if parameter["in"] == "path":
                        yield method, url_of(path, {**defaults, name: encoded(value)}, {}), text
                    else:
                        yield method, url_of(path, defaults, {name: encoded(value)}), text
            for field in fields_of(body) if body is not None else ():
                for value in FIELD_VALUES:
                    altered = json.dumps(with_field(body, field, value)).encode()
                    yield method, url_of(path, defaults, {}), altered


def run_fuzz(live_api: LiveApi) -> int:
    _, key = live_api.create_key(
        ["metrics:read", "metrics:write", "jobs:write", "admin:*", "workflows:*"]
    )
    headers = {"X-API-Key": key, "Content-Type": "application/json"}
    failures, sent = [], 0
    with httpx.Client(base_url=live_api.url, headers=headers, timeout=30) as client:
        schema = client.get("/openapi.json").json()
        for method, url, body in requests(schema):
            for _ in range(ATTEMPTS):
                began = time.monotonic()
                response = client.request(method.upper(), url, content=body or None)
                took = time.monotonic() - began
                if response.status_code >= 500 or took <= TIME_BOUND_SECONDS:
                    break
            sent += 1
            if response.status_code >= 500 or took > TIME_BOUND_SECONDS:
                failures.append(f"{method.upper()} {url[:120]} {body[:120]!r}: ")
                failures[-1] += f"{response.status_code} in {took:.2f} s {response.text[:200]}"
                if len(failures) == MAX_FAILURES:
                    break
    assert not failures, f"{len(failures)} of {sent} requests:\n" + "\n".join(failures)
    return sent


def test_no_route_fails_or_stalls_on_adversarial_values(live_api: LiveApi) -> None:
    assert run_fuzz(live_api) > 1_000
