"""HTTP statuses, exit-status conventions (with the NTSTATUS of a Windows process ended by an
exception, resync/joblog/catalogues/windows.py), HWA/TWS AWK… message codes, and the messages
workflow engines and Kubernetes write when a job's dependency, deadline or resources failed it.
"""

from resync.joblog.catalogues.entries import MEDIUM, STRONG, WEAK, Entry
from resync.joblog.catalogues.windows import NTSTATUS_EXITS

HTTP_SOURCE = "RFC 9110 status codes (and RFC 4918 507)"
HTTP_STATUSES = {
    401: ("Unauthorized", "credentials_expired"),
    407: ("Proxy Authentication Required", "credentials_expired"),
    403: ("Forbidden", "permission_denied"),
    404: ("Not Found", "not_found"),
    410: ("Gone", "not_found"),
    408: ("Request Timeout", "timeout"),
    504: ("Gateway Timeout", "timeout"),
    507: ("Insufficient Storage", "disk_full"),
    500: ("Internal Server Error", "unknown"),
    400: ("Bad Request", "unknown"),
    409: ("Conflict", "unknown"),
    413: ("Content Too Large", "unknown"),
    422: ("Unprocessable Content", "unknown"),
    429: ("Too Many Requests", "unknown"),
}

EXIT_SOURCE = "POSIX shell and GNU coreutils exit-status conventions"
# 137 (SIGKILL) and 143 (SIGTERM) name no reason: `unknown` unless a line says why.
EXIT_STATUSES = {
    124: ("timeout", MEDIUM, "GNU timeout: the command timed out"),
    126: ("permission_denied", WEAK, "command found but not executable"),
    127: ("not_found", MEDIUM, "command not found"),
    137: ("unknown", WEAK, "killed by SIGKILL"),
    139: ("unknown", MEDIUM, "killed by SIGSEGV"),
    143: ("unknown", WEAK, "killed by SIGTERM"),
    152: ("timeout", MEDIUM, "killed by SIGXCPU (CPU time limit)"),
    9009: ("not_found", MEDIUM, "cmd.exe: the command was not found"),
}
EXIT_STATUSES |= {
    number: (cls, MEDIUM, f"Windows {name} (0x{unsigned:08X})")
    for unsigned, (cls, name) in NTSTATUS_EXITS.items()
    for number in (unsigned, unsigned - 2**32)
}

AWK_SOURCE = "HCL Workload Automation 9.5/10.2 Messages and Codes"
AWK_CODES = {
    "AWKJMJ007E": "connection_failure",
    "AWKJSJ007E": "connection_failure",
    "AWKJMJ002E": "connection_failure",
    "AWKJSJ002E": "connection_failure",
    "AWKJMJ010E": "credentials_expired",
    "AWKJSJ010E": "credentials_expired",
    "AWKRAA210E": "credentials_expired",
    "AWKFTE015E": "not_found",
    "AWKJMJ008W": "unknown",
    "AWKJSJ008W": "unknown",
}

WORKFLOW_SOURCE = "Apache Airflow 2.x, Spotify luigi 3.x and Kubernetes 1.29 messages"
WORKFLOW_MESSAGES = {
    "Unfulfilled dependency at run time": ("dependency_not_satisfied", "luigi"),
    "were not granted run permission by the scheduler": ("dependency_not_satisfied", "luigi"),
    "had missing dependencies": ("dependency_not_satisfied", "luigi"),
    "Snap. Time is OUT.": ("dependency_not_satisfied", "Airflow sensor"),
    "Marking task as UPSTREAM_FAILED": ("dependency_not_satisfied", "Airflow"),
    "Dependencies not met for": ("dependency_not_satisfied", "Airflow"),
    "Job was active longer than specified deadline": ("timeout", "Kubernetes"),
    "Job has reached the specified backoff limit": ("unknown", "Kubernetes"),
    "The node was low on resource: ephemeral-storage": ("disk_full", "Kubernetes"),
    "The node was low on resource: memory": ("out_of_memory", "Kubernetes"),
    "Reason: OOMKilled": ("out_of_memory", "Kubernetes"),
    "Back-off restarting failed container": ("unknown", "Kubernetes"),
}


def workflow_texts() -> dict[str, Entry]:
    """The workflow engines' messages, to their entries."""
    return {
        text: Entry(cls, STRONG, f"{engine}: {text}")
        for text, (cls, engine) in WORKFLOW_MESSAGES.items()
    }


def http_entry(status: int) -> Entry | None:
    """The entry of an HTTP status, if it names a class or a cause outside them."""
    if status not in HTTP_STATUSES:
        return None
    reason, cls = HTTP_STATUSES[status]
    return Entry(cls, STRONG if cls != "unknown" else MEDIUM, f"HTTP {status} {reason}")


def http_texts() -> dict[str, Entry]:
    """`404 Not Found` and the like, as servers and clients print them."""
    return {
        f"{status} {reason}": Entry(
            cls, STRONG if cls != "unknown" else MEDIUM, f"HTTP {status} {reason}"
        )
        for status, (reason, cls) in HTTP_STATUSES.items()
    }


def exit_status_entry(status: int) -> Entry | None:
    """The entry of a job's exit status, for the conventions that name a cause."""
    if status not in EXIT_STATUSES:
        return None
    cls, strength, meaning = EXIT_STATUSES[status]
    return Entry(cls, strength, f"exit status {status}: {meaning}")


def awk_entry(code: str) -> Entry | None:
    """The entry of an HWA/TWS message code, when the message names its cause."""
    cls = AWK_CODES.get(code.upper())
    return None if cls is None else Entry(cls, STRONG, f"HWA {code.upper()}")
