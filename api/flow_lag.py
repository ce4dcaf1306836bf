"""How long ago each Prefect flow last completed, read from Prefect's REST API for `/metrics`.

The API reaches Prefect as the workers do: PREFECT_API_URL, with PREFECT_API_AUTH_STRING's
`user:password` when the server asks for one. A flow that never completed counts from when
Prefect first saw it, so a deployment that has never once worked shows a growing lag too.
"""

import asyncio
import os
from datetime import UTC, datetime

import httpx

PREFECT_TIMEOUT_SECONDS = 5.0


class PrefectUnreachable(Exception):
    """Prefect's API did not answer, or answered with an error."""


def prefect_api_url() -> str | None:
    return os.environ.get("PREFECT_API_URL") or None


async def read_flow_lags(api_url: str, now: datetime) -> dict[str, float]:
    """Seconds since each flow's last completed run, by flow name."""
    auth_string = os.environ.get("PREFECT_API_AUTH_STRING")
    auth = tuple(auth_string.split(":", 1)) if auth_string and ":" in auth_string else None
    try:
        async with httpx.AsyncClient(
            base_url=api_url.rstrip("/"), auth=auth, timeout=PREFECT_TIMEOUT_SECONDS
        ) as client:
            flows = await _post(client, "/flows/filter", {})
            runs = await asyncio.gather(
                *(_last_completed_run(client, flow["id"]) for flow in flows)
            )
    except httpx.HTTPError as error:
        raise PrefectUnreachable(f"{type(error).__name__}: {error}") from error
    lags = {}
    for flow, run in zip(flows, runs, strict=True):
        since = run["end_time"] if run is not None else flow["created"]
        lags[flow["name"]] = max(0.0, (now - _time(since)).total_seconds())
    return lags


async def _last_completed_run(client: httpx.AsyncClient, flow_id: str) -> dict | None:
    body = {
        "flows": {"id": {"any_": [flow_id]}},
        "flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}},
        "sort": "END_TIME_DESC",
        "limit": 1,
    }
    runs = await _post(client, "/flow_runs/filter", body)
    return runs[0] if runs else None


async def _post(client: httpx.AsyncClient, path: str, body: dict) -> list[dict]:
    response = await client.post(path, json=body)
    response.raise_for_status()
    return response.json()


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
