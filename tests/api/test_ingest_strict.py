"""The ingest contract held strictly: JSON numbers only, finite everywhere, one key once, JSON only.

Every sample the API acknowledges must be storable: a non-finite number kept raw in an unknown
field used to be accepted and then blocked its ingest batch on PostgreSQL.
"""

import gzip
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from resync.db.engine import session_scope
from resync.db.models import MetricsInbox
from tests.support.job_runs import job_run
from tests.support.payloads import minutes_ago, payload

SINGLE = "/api/v1/metrics/workstation"
BATCH = "/api/v1/metrics/workstation/batch"
EXECUTIONS = "/api/v1/jobs/executions"


@pytest.fixture
def writer_key(make_key) -> dict[str, str]:
    _, key = make_key(["metrics:write", "jobs:write"])
    return {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}


def inbox_count() -> int:
    with session_scope() as session:
        return session.scalar(select(func.count()).select_from(MetricsInbox))


def with_field(body: dict, text: str) -> str:
    """`body` as JSON text with `text` (a member, written by hand) added at its end."""
    return json.dumps(body)[:-1] + f", {text}}}"


NON_FINITE = {
    '"host": {"cpu_count": 8, "rack_load": NaN}': "host.rack_load is not a finite number (nan)",
    '"tws": {"q": [1, {"depth": Infinity}]}': "tws.q[1].depth is not a finite number (inf)",
    '"tws": {"stdlist_mb": 1, "growth": -1e999}': "tws.growth is not a finite number (-inf)",
    '"future": {"ratio": 1e999}': "future.ratio is not a finite number (inf)",
    '"future": "a\\u0000b"': "future contains a NUL character",
}


@pytest.mark.parametrize("member", NON_FINITE)
def test_unknown_fields_that_could_not_be_stored_are_refused(
    client: TestClient, writer_key, member
) -> None:
    single = client.post(SINGLE, content=with_field(payload(), member), headers=writer_key)
    items = [json.dumps(payload("FTA1", minutes_ago(5 * i))) for i in range(1, 4)]
    items[1] = with_field(payload("FTA1", minutes_ago(10)), member)
    batch = client.post(BATCH, content=f"[{', '.join(items)}]", headers=writer_key)

    assert single.status_code == 422
    assert [(e["loc"], e["msg"]) for e in single.json()["detail"]] == [
        (["body"], f"Value error, {NON_FINITE[member]}")
    ]
    assert batch.status_code == 422
    assert [(e["loc"], e["msg"]) for e in batch.json()["detail"]] == [
        (["body", 1], f"Value error, {NON_FINITE[member]}")
    ]
    assert inbox_count() == 0


COERCED = {
    '"cpu_percent": "45"': ("cpu_percent", "Input should be a valid number"),
    '"tcp_connectivity": true': ("tcp_connectivity", "Input should be a valid integer"),
    '"tcp_connectivity": 1.0': ("tcp_connectivity", "Input should be a valid integer"),
    '"process_count": 245.0': ("process_count", "Input should be a valid integer"),
    # Host readings may be null (not taken); loss and connectivity are always measured.
    '"packet_loss_percent": null': ("packet_loss_percent", "Input should be a valid number"),
}


@pytest.mark.parametrize("member", COERCED)
def test_numbers_are_json_numbers_of_their_type(client: TestClient, writer_key, member) -> None:
    name, message = COERCED[member]
    text = json.dumps(payload())
    seed = f'"{name}": {json.dumps(payload()["metrics"][name])}'
    assert seed in text

    single = client.post(SINGLE, content=text.replace(seed, member), headers=writer_key)
    batch = client.post(BATCH, content=f"[{text.replace(seed, member)}]", headers=writer_key)

    assert single.status_code == 422
    assert [(e["loc"], e["msg"]) for e in single.json()["detail"]] == [
        (["body", "metrics", name], message)
    ]
    assert batch.status_code == 422
    assert batch.json()["detail"][0]["loc"] == ["body", 0, "metrics", name]
    assert inbox_count() == 0


@pytest.mark.parametrize("route", [SINGLE, BATCH, EXECUTIONS])
def test_a_key_given_twice_is_refused(client: TestClient, writer_key, route) -> None:
    body = job_run() if route == EXECUTIONS else payload()
    text = with_field(body, '"workstation": "OTHER"')
    if route != SINGLE:
        text = f"[{text}]"

    response = client.post(route, content=text, headers=writer_key)

    assert response.status_code == 422
    assert response.json()["detail"][0]["msg"].startswith('Detected duplicate key "workstation"')
    assert inbox_count() == 0


NOT_PLAIN_JSON = {
    "text/plain": ({"Content-Type": "text/plain"}, "send the body as JSON with Content-Type:"),
    "form": (
        {"Content-Type": "application/x-www-form-urlencoded"},
        "send the body as JSON with Content-Type:",
    ),
    "no type": ({"Content-Type": ""}, "send the body as JSON with Content-Type:"),
    "gzip": ({"Content-Encoding": "gzip"}, "send the body uncompressed"),
}


@pytest.mark.parametrize("route", [SINGLE, BATCH, EXECUTIONS])
@pytest.mark.parametrize("case", NOT_PLAIN_JSON)
def test_a_body_that_is_not_plain_json_is_415(client: TestClient, writer_key, route, case) -> None:
    headers, detail = NOT_PLAIN_JSON[case]
    body = job_run() if route == EXECUTIONS else payload()
    content = json.dumps(body if route == SINGLE else [body]).encode()
    if case == "gzip":
        content = gzip.compress(content)

    response = client.post(route, content=content, headers={**writer_key, **headers})

    assert response.status_code == 415
    assert response.json()["detail"].startswith(detail)
    assert inbox_count() == 0


def test_json_with_a_charset_is_accepted(client: TestClient, writer_key) -> None:
    headers = {**writer_key, "Content-Type": "application/json; charset=utf-8"}
    assert client.post(SINGLE, content=json.dumps(payload()), headers=headers).status_code == 202
    assert inbox_count() == 1
