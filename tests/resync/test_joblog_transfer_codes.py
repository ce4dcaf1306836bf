"""Every entry of the file transfer catalogue (curl error codes, rsync exit values, FTP reply
codes, SFTP status names) maps where it says, and an FTP reply is read only where a server's
reply can be."""

import pytest

from resync.joblog.catalogues import transfers
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.GET_FILES\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 1\n{FRAME}\n"


def found(line: str) -> set[tuple[str, str]]:
    return {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


def test_curl_rsync_and_sftp_codes() -> None:
    for code, (cls, name) in transfers.CURL_CODES.items():
        assert (cls, f"curl ({code}) {name}") in found(f"curl: ({code}) message")
    for code, (cls, meaning) in transfers.RSYNC_CODES.items():
        line = f"rsync error: {meaning} (code {code}) at io.c(226) [Receiver=3.2.7]"
        assert (cls, f"rsync exit {code}: {meaning}") in found(line)
    for name, (number, cls) in transfers.SFTP_STATUSES.items():
        assert (cls, f"SFTP status {number} {name}") in found(f"sftp: status {name}")


def test_ftp_replies_at_the_start_of_a_line() -> None:
    for code, (cls, meaning) in transfers.FTP_REPLIES.items():
        assert (cls, f"FTP reply {code}: {meaning}") in found(f"{code} {meaning.capitalize()}.")
        assert (cls, f"FTP reply {code}: {meaning}") in found(f"{code}-{meaning.capitalize()}.")


@pytest.mark.parametrize(
    "line",
    ["530 rows loaded, 0 rejected", "loaded 530 rows: login table", "ftp: 1421 bytes sent"],
)
def test_a_number_that_is_no_ftp_reply_names_nothing(line: str) -> None:
    assert not any(source.startswith("FTP reply") for _, source in found(line))


def test_an_ftp_login_refused_with_the_system_reason_is_an_authentication_failure() -> None:
    result = classify_joblog(
        joblog(
            "331 Send password please.",
            "530 PASS command failed : EDC5111I Permission denied.",
            "Login failed.",
            "221 Quit command received. Goodbye.",
        )
    )
    assert result.failure_class == "credentials_expired"
