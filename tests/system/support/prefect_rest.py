"""Prefect's REST API as the UI and an operator's scripts use it: no Prefect client library."""

import json
import time
from collections import Counter
from datetime import datetime
from typing import Any

import httpx

FINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


class PrefectApi:
    """Deployments, flow runs, their task runs, review forms, workers; `/api` of one server."""

    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url, timeout=30)

    def _json(self, method: str, path: str, **body: Any) -> Any:
        response = self.http.request(method, path, json=body or None)
        response.raise_for_status()
        return response.json() if response.content else None

    def deployments(self) -> dict[str, dict[str, Any]]:
        return {d["name"]: d for d in self._json("POST", "/deployments/filter")}

    def block_document(self, block_type: str, name: str) -> dict[str, Any]:
        """Block `name` of type `block_type` as the UI reads it (secret fields masked)."""
        return self._json("GET", f"/block_types/slug/{block_type}/block_documents/name/{name}")

    def run_deployment(self, name: str, job_variables: dict[str, Any] | None = None) -> str:
        """Start a run of deployment `name` (flow and deployment share names); its id."""
        deployment = self._json("GET", f"/deployments/name/{name}/{name}")
        run = self._json(
            "POST",
            f"/deployments/{deployment['id']}/create_flow_run",
            job_variables=job_variables or {},
        )
        return run["id"]

    def flow_run(self, flow_run_id: str) -> dict[str, Any]:
        return self._json("GET", f"/flow_runs/{flow_run_id}")

    def state(self, flow_run_id: str) -> str:
        return self.flow_run(flow_run_id)["state"]["type"]

    def wait_for(self, flow_run_id: str, wanted: str, timeout: float) -> dict[str, Any]:
        """Until the flow run's state type is `wanted`; another final state fails at once."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            flow_run = self.flow_run(flow_run_id)
            state = flow_run["state"]["type"]
            if state == wanted:
                return flow_run
            if state in FINAL:
                raise AssertionError(self.describe(flow_run, f"ended {state}, not {wanted}"))
            time.sleep(0.5)
        raise AssertionError(
            self.describe(self.flow_run(flow_run_id), f"not {wanted} after {timeout:.0f} s")
        )

    def describe(self, flow_run: dict[str, Any], problem: str) -> str:
        """A failure message: the run, its state's message and its last log lines."""
        logs = self.logs(flow_run["id"])[-40:]
        return (
            f"flow run {flow_run['name']} ({flow_run['id']}) {problem}: "
            f"{flow_run['state']['name']}: {flow_run['state'].get('message')}\n" + "\n".join(logs)
        )

    def logs(self, flow_run_id: str) -> list[str]:
        flow_run = {"flow_run_id": {"any_": [flow_run_id]}}
        records = self._json("POST", "/logs/filter", logs=flow_run, sort="TIMESTAMP_ASC")
        return [f"{record['timestamp']} {record['message']}" for record in records]

    def state_history(self, flow_run_id: str) -> list[tuple[str, datetime]]:
        """Every state the flow run went through, oldest first: (type, when)."""
        states = self.http.get("/flow_run_states/", params={"flow_run_id": flow_run_id})
        states.raise_for_status()
        return sorted(
            (state["type"], datetime.fromisoformat(state["timestamp"])) for state in states.json()
        )

    def completed_tasks(self, flow_run_id: str) -> Counter[str]:
        """Completed task runs of the flow run, by task name."""
        flow_runs = {"id": {"any_": [flow_run_id]}}
        task_runs = self._json("POST", "/task_runs/filter", flow_runs=flow_runs)
        return Counter(
            run["name"].rsplit("-", 1)[0]
            for run in task_runs
            if run["state"] is not None and run["state"]["type"] == "COMPLETED"
        )

    def review_input(self, flow_run: dict[str, Any], part: str) -> Any:
        """The paused run's `schema`, `description` or `response`, as the UI reads it."""
        key = flow_run["state"]["state_details"]["run_input_keyset"][part]
        response = self.http.get(f"/flow_runs/{flow_run['id']}/input/{key}")
        response.raise_for_status()
        return json.loads(response.text)

    def resume(self, flow_run_id: str, run_input: dict[str, Any]) -> dict[str, Any]:
        """What the UI's Resume form sends: the form's values as `run_input`."""
        return self._json("POST", f"/flow_runs/{flow_run_id}/resume", run_input=run_input)

    def worker_heartbeats(self, pool: str) -> dict[str, datetime]:
        """Each worker of the pool and its last heartbeat."""
        workers = self._json("POST", f"/work_pools/{pool}/workers/filter")
        return {w["name"]: datetime.fromisoformat(w["last_heartbeat_time"]) for w in workers}
