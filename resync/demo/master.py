"""A fake HWA master for tests and `make run`'s demo: the REST API v2 paths and JSON shapes
`resync.jobs.hwa` reads and writes, on 127.0.0.1.

Real HTTP (http.server in a thread), so the real client code runs against it. It pages
`/twsd/api/v2/plan/job` with `limit`/`offset` and answers `{"count", "results"}` (an OQL
`name = '…'` narrows it to that job), serves joblogs as text, checks basic auth or a bearer
token, records and logs every request (INFO, `resync.demo.master`), and injects failures:
`fail_next(401)`, `fail_next(503)`, `delay_next(seconds)`.

`POST /twsd/api/v2/plan/job/submit-ad-hoc-job` takes `{"workstationKey", "jobName", "task":
{"UNIX": {"taskString", "isCommand", "userName"}}}` and answers `{"id": "WS;JOBS;NAME"}`; the
job then moves through the plan (`resync.demo.adhoc_jobs`). It refuses, as a master does, a
workstation it does not know (404), a user the security file does not let run jobs there (403)
and a body without a UNIX task (400). The shapes, from HCL's documentation found with the
project's search tool:
- help.hcl-software.com/workloadautomation/v1026/common/src_dgd/awsddapisubmitadhocjob.html
  ("REST API - submitting an ad-hoc job", 10.2.6): the body, `workstationKey` and a UNIX task
  with `taskString`, `isCommand`, `userName`; verified with `GET /twsd/api/v2/plan/job`.
- workloadautomation.hcldoc.com/help/topic/com.hcl.wa.doc_9.4/common/src_dgd/
  awsddschedfactdefadhocjob.htm and awsddschedfactsubmitadhocjob.html ("Defining the ad hoc
  job", "submitAdHocJob", 9.4): the job's `jobName`, its `userLogin`, and the answer, the
  identifier of the job submitted in the plan.
- help.hcl-software.com/workloadautomation/v1026/common/src_dgd/awsddapisubmitjs.html
  ("REST API - submitting a job stream in the current plan"): the `{"count", "results"}`
  envelope and finding an object by exact name with OQL (`name = '…'`).
The `{"id": "FTA01;JOBS;NAME"}` answer and the JOBS stream are as public notes of calls to a
10.2.8 engine record them.

`resync run` serves the demo estate's plan on it (`python -m resync.demo.jobs`) and points
RESYNC_HWA_URL there.
"""

import base64
import json
import logging
import re
import ssl
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import parse_qs, unquote, urlsplit

from resync.demo.adhoc_jobs import AdHocJobs

logger = logging.getLogger(__name__)

JOBS_PATH = "/twsd/api/v2/plan/job"
JOBLOG_PREFIX = "/twsd/api/v2/plan/job/run/"
SUBMIT_PATH = "/twsd/api/v2/plan/job/submit-ad-hoc-job"
NAME_QUERY = re.compile(r"^name = '([^']+)'$")


def plan_job(
    run_id: str,
    *,
    workstation: str = "FTA01",
    job_stream: str = "PAYROLL",
    job_name: str = "LOAD_EMPLOYEES",
    status: str = "SUCC",
    return_code: int | None = 0,
    start: str | None = "2026-11-27T10:00:00Z",
    end: str | None = "2026-11-27T10:05:00Z",
    estimated_duration_ms: int | None = 300_000,
) -> dict[str, Any]:
    """One item of `/plan/job`'s `results`, nested as the engine nests it (`resync.jobs.hwa`)."""
    return {
        "id": run_id,
        "name": job_name,
        "jobStreamInPlan": {
            "name": job_stream,
            "workstationKey": {"name": "/MDM"},
            "startTime": "2026-11-27T00:05:00Z",
        },
        "jobDefinition": {
            "jobDefinitionInPlanKey": {"workstationInPlanKey": {"name": f"/{workstation}"}},
        },
        "status": {"internalStatus": status, "returnCode": return_code},
        "actualStart": start,
        "actualEnd": end,
        "estimatedDuration": estimated_duration_ms,
    }


@dataclass
class RecordedRequest:
    path: str
    query: dict[str, str]
    headers: dict[str, str]


@dataclass
class FakeHwa:
    """The fake master; use as a context manager, or start() and stop().

    With `certificate`, it speaks HTTPS (see `self_signed_certificate`).
    """

    user: str = "twsuser"
    password: str = "s3cret-Pa55"
    token: str | None = None
    jobs: list[dict[str, Any]] = field(default_factory=list)
    joblogs: dict[str, str] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    certificate: tuple[Path, Path] | None = None  # (certificate, key): serve HTTPS
    port: int = 0  # 0: any free port
    workstations: set[str] | None = None  # the plan's workstations; None: any name
    job_users: set[str] = field(default_factory=lambda: {"twsuser"})  # who may run jobs
    adhoc: AdHocJobs = field(default_factory=AdHocJobs)
    _faults: deque[tuple[str, float]] = field(default_factory=deque)

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        scheme = "http"
        if self.certificate is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.certificate)
            self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
            scheme = "https"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def fail_next(self, status: int, times: int = 1) -> None:
        """The next `times` requests answer `status` (after authentication)."""
        self._faults.extend([("status", status)] * times)

    def delay_next(self, seconds: float) -> None:
        """The next request answers only after `seconds`."""
        self._faults.append(("delay", seconds))

    def authorized(self, header: str | None) -> bool:
        if header is None:
            return False
        scheme, _, value = header.partition(" ")
        if scheme == "Bearer":
            return self.token is not None and value == self.token
        if scheme == "Basic":
            expected = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            return value == expected
        return False

    def next_fault(self) -> tuple[str, float] | None:
        return self._faults.popleft() if self._faults else None

    def plan(self) -> list[dict[str, Any]]:
        """The plan's job runs: the scheduled ones, then the ad hoc jobs in their state now."""
        return self.jobs + self.adhoc.plan_items()

    def submit(self, body: Any) -> tuple[int, dict[str, Any]]:
        """Submit an ad hoc job from a request body: (HTTP status, answer)."""
        task = body.get("task", {}).get("UNIX") if isinstance(body, dict) else None
        workstation = str(body.get("workstationKey", "")).rsplit("/", 1)[-1] if task else ""
        if not isinstance(task, dict) or not task.get("taskString") or not body.get("jobName"):
            return 400, {"messages": ["the body needs workstationKey, jobName and a UNIX task"]}
        if self.workstations is not None and workstation not in self.workstations:
            return 404, {"messages": [f"workstation {workstation!r} is not in the plan"]}
        user = task.get("userName")
        if user not in self.job_users:
            return 403, {"messages": [f"user {user!r} may not run jobs on {workstation}"]}
        run = self.adhoc.submit(workstation, body["jobName"], task["taskString"], user)
        logger.info("ad hoc job %s submitted: %s as %s", run.job_key, run.task_string, user)
        return 200, {"id": run.job_key}


def _handler_for(fake: FakeHwa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, message: str, *args: Any) -> None:
            logger.info("%s %s", self.address_string(), message % args)

        def log_error(self, message: str, *args: Any) -> None:
            logger.warning("%s %s", self.address_string(), message % args)

        def _admitted(self) -> tuple[str, dict[str, str]] | None:
            """The path and query of a request to serve, or None once it was answered."""
            parts = urlsplit(self.path)
            query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
            fake.requests.append(RecordedRequest(parts.path, query, dict(self.headers)))
            if not fake.authorized(self.headers.get("Authorization")):
                self._json(401, {"messages": ["AWSJCS011E Authentication failed"]})
                return None
            fault = fake.next_fault()
            if fault is not None and fault[0] == "delay":
                time.sleep(fault[1])
            elif fault is not None:
                self._json(int(fault[1]), {"messages": [f"injected {int(fault[1])}"]})
                return None
            return parts.path, query

        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            admitted = self._admitted()
            if admitted is None:
                return
            path, query = admitted
            if path == JOBS_PATH:
                self._jobs(query)
            elif path.startswith(JOBLOG_PREFIX) and path.endswith("/joblog"):
                run_id = unquote(path[len(JOBLOG_PREFIX) : -len("/joblog")])
                joblog = fake.joblogs.get(run_id) or fake.adhoc.joblog(run_id)
                if joblog is not None:
                    self._send(200, "text/plain; charset=utf-8", joblog.encode())
                else:
                    self._json(404, {"messages": [f"AWSJPL523E job run {run_id} not found"]})
            else:
                self._json(404, {"messages": ["not found"]})

        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            admitted = self._admitted()
            if admitted is None:
                return
            if admitted[0] != SUBMIT_PATH:
                self._json(404, {"messages": ["not found"]})
                return
            try:
                body = json.loads(raw)
            except ValueError:
                self._json(400, {"messages": ["the body is not JSON"]})
                return
            self._json(*fake.submit(body))

        def _jobs(self, query: dict[str, str]) -> None:
            try:
                limit = int(query.get("limit", "50"))
                offset = int(query.get("offset", "0"))
            except ValueError:
                self._json(400, {"messages": ["limit and offset must be integers"]})
                return
            jobs = fake.plan()
            named = NAME_QUERY.match(query.get("oql", ""))
            if named is not None:
                jobs = [job for job in jobs if job["name"] == named.group(1)]
            self._json(200, {"count": len(jobs), "results": jobs[offset : offset + limit]})

        def _json(self, status: int, body: Any) -> None:
            self._send(status, "application/json", json.dumps(body).encode())

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

    return Handler
