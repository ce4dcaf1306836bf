"""A client of the HCL Workload Automation / IBM Workload Scheduler REST API (v2) on the master.

Two reads: the job runs of the current plan (`GET /twsd/api/v2/plan/job`, filtered with an OQL
query and paged with `limit`/`offset`) and the joblog of one run
(`GET /twsd/api/v2/plan/job/run/{id}/joblog`, plain text); one write: an ad hoc job submitted
to the plan (`POST /twsd/api/v2/plan/job/submit-ad-hoc-job`), found again by its name.

Where the shapes come from (no live engine was available; keep the fake server in
`resync/demo/master.py` in step with this module):
- The `{"count": …, "results": […]}` envelope of v2 list endpoints: HCL's Developer's Guide
  ("REST API - submitting a job stream in the current plan", v10.2.6), and `plan/jobstream`
  answers recorded against a 10.2.8 engine.
- OQL (`oql=`), e.g. `status = 'ABEND' ORDER BY ...`: HCL's "Using Orchestration Query Language".
- Joblog as `text/plain`, run ids such as `MDM;JOBS;NAME` (URL-quoted here): the same records.
- The ad hoc job: `{"workstationKey", "task": {"UNIX": {"taskString", "isCommand", "userName"}}}`
  (HCL's "REST API - submitting an ad-hoc job", v10.2.6), with `jobName` as the 9.4 web
  service's jobToSubmit names it ("Defining the ad hoc job"); the answer is the submitted job's
  identifier, `{"id": "FTA01;JOBS;NAME"}` in answers recorded against a 10.2.8 engine (the job
  goes into the JOBS stream). The job is then found with `GET /plan/job` and `name = '…'`.
"""

import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import httpx

from resync.jobs.errors import HwaAuthError, HwaError, HwaResponseError, HwaUnavailable
from resync.jobs.plan_items import PlanJobRun, parse_job_run
from resync.settings import Settings

JOBS_PATH = "/twsd/api/v2/plan/job"
JOBLOG_PATH = "/twsd/api/v2/plan/job/run/{run_id}/joblog"
SUBMIT_AD_HOC_JOB_PATH = "/twsd/api/v2/plan/job/submit-ad-hoc-job"
# A distributed job name: a letter, then letters, digits, _ and -; 40 characters at most.
JOB_NAME_PATTERN = r"^[A-Z][A-Z0-9_-]{0,39}$"


@dataclass(frozen=True)
class AdHocJob:
    """A command to run once on a workstation as an ad hoc job of the plan."""

    workstation: str
    job_name: str
    task_string: str
    user_name: str


class HwaClient:
    """Reads the master's plan over HTTPS: basic auth or a bearer token, TLS verified."""

    def __init__(
        self,
        base_url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        token: str | None = None,
        verify: bool | Path = True,
        timeout: float = 30.0,
        page_size: int = 500,
    ) -> None:
        if token is None and (user is None or password is None):
            raise HwaError(
                "No HWA credentials: set RESYNC_HWA_TOKEN, or RESYNC_HWA_USER and "
                "RESYNC_HWA_PASSWORD"
            )
        if isinstance(verify, Path) and not verify.is_file():
            raise HwaError(f"HWA CA bundle {verify} does not exist; fix RESYNC_HWA_CA_BUNDLE")
        self.base_url = base_url.rstrip("/")
        self.page_size = page_size
        headers = {"Accept": "application/json"}
        auth = None
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        else:
            auth = httpx.BasicAuth(user or "", password or "")
        self._http = httpx.Client(
            base_url=self.base_url,
            auth=auth,
            headers=headers,
            verify=ssl.create_default_context(cafile=verify)
            if isinstance(verify, Path)
            else verify,
            timeout=timeout,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """A client for the master named in `settings` (RESYNC_HWA_*)."""
        if not settings.hwa_url:
            raise HwaError("RESYNC_HWA_URL is not set; name the master, e.g. https://master:31116")
        return cls(
            settings.hwa_url,
            user=settings.hwa_user,
            password=settings.hwa_password.get_secret_value() if settings.hwa_password else None,
            token=settings.hwa_token.get_secret_value() if settings.hwa_token else None,
            verify=settings.hwa_ca_bundle or settings.hwa_verify_tls,
            timeout=settings.hwa_timeout_seconds,
            page_size=settings.hwa_page_size,
        )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _error: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def iter_job_runs(self, oql: str | None = None) -> Iterator[PlanJobRun]:
        """Every job run of the plan matching `oql`, page by page (`limit`/`offset`)."""
        offset = 0
        while True:
            params: dict[str, Any] = {"limit": self.page_size, "offset": offset}
            if oql:
                params["oql"] = oql
            page = self._get(JOBS_PATH, params).json()
            if not isinstance(page, dict) or not isinstance(page.get("results"), list):
                raise HwaResponseError(
                    f"{JOBS_PATH} answered without a 'results' list; is {self.base_url} an "
                    "HWA 10.x master with REST API v2?"
                )
            results = page["results"]
            for item in results:
                yield parse_job_run(item)
            offset += len(results)
            total = page.get("count")
            if len(results) < self.page_size or (isinstance(total, int) and offset >= total):
                return

    def list_job_runs(self, oql: str | None = None) -> list[PlanJobRun]:
        """All job runs of the plan matching `oql`."""
        return list(self.iter_job_runs(oql))

    def get_joblog(self, run_id: str) -> str:
        """The joblog (stdlist) of one run, as text."""
        return self._get(JOBLOG_PATH.format(run_id=quote(run_id, safe="")), None).text

    def submit_ad_hoc_job(self, job: AdHocJob) -> str:
        """Submit `job` to the current plan; the identifier the master gave it."""
        if not re.fullmatch(JOB_NAME_PATTERN, job.job_name):
            raise HwaError(f"{job.job_name!r} is not a job name the master accepts")
        body = {
            "workstationKey": job.workstation,
            "jobName": job.job_name,
            "task": {
                "UNIX": {
                    "taskString": job.task_string,
                    "isCommand": "true",
                    "userName": job.user_name,
                }
            },
        }
        answer = self._request("POST", SUBMIT_AD_HOC_JOB_PATH, None, body).json()
        job_id = answer.get("id") if isinstance(answer, dict) else answer
        if not isinstance(job_id, str) or not job_id:
            raise HwaResponseError(
                f"{SUBMIT_AD_HOC_JOB_PATH} answered without the job's id: {answer!r:.200}"
            )
        return job_id

    def find_job(self, workstation: str, job_name: str) -> PlanJobRun | None:
        """The latest run in the plan of the job named `job_name` on `workstation`, if any."""
        if not re.fullmatch(JOB_NAME_PATTERN, job_name):
            raise HwaError(f"{job_name!r} is not a job name the master accepts")
        runs = [
            run
            for run in self.iter_job_runs(f"name = '{job_name}'")
            if run.job_name == job_name and run.workstation == workstation
        ]
        return runs[-1] if runs else None

    def _get(self, path: str, params: dict[str, Any] | None) -> httpx.Response:
        return self._request("GET", path, params, None)

    def _request(
        self, method: str, path: str, params: dict[str, Any] | None, body: Any
    ) -> httpx.Response:
        url = f"{self.base_url}{path}"
        try:
            response = self._http.request(method, path, params=params, json=body)
        except httpx.TimeoutException:
            raise HwaUnavailable(
                f"HWA master at {self.base_url} did not answer within "
                f"{self._http.timeout.read} s; check it is up or raise RESYNC_HWA_TIMEOUT_SECONDS"
            ) from None
        except httpx.ConnectError as error:
            hint = (
                "set RESYNC_HWA_CA_BUNDLE to the CA that signed the master's certificate"
                if "CERTIFICATE" in str(error).upper()
                else "check RESYNC_HWA_URL and that port 31116 is reachable"
            )
            raise HwaUnavailable(f"Cannot connect to {self.base_url} ({error}); {hint}") from None
        except httpx.HTTPError as error:
            raise HwaUnavailable(f"HWA request to {url} failed: {error}") from None
        status = response.status_code
        if status in (401, 403):
            raise HwaAuthError(
                f"HWA master refused the request ({status}) to {url}: {_messages(response)}; "
                "check RESYNC_HWA_USER/RESYNC_HWA_PASSWORD or RESYNC_HWA_TOKEN and the user's "
                "rights on the plan"
            )
        if status >= 500:
            raise HwaUnavailable(f"HWA master failed ({status}) on {url}; retry later")
        if status >= 400:
            raise HwaError(f"HWA master refused {url} ({status}): {_messages(response)}")
        return response


def _messages(response: httpx.Response) -> str:
    """The master's own words: the `messages` of its JSON error, else the start of the body."""
    try:
        messages = response.json().get("messages")
    except (ValueError, AttributeError):
        messages = None
    if isinstance(messages, list) and messages:
        return "; ".join(str(message) for message in messages)[:300]
    return response.text[:200]
