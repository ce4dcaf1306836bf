"""Codes of the file transfer tools TWS jobs run: curl's error codes, rsync's exit values, FTP
reply codes and SFTP status codes, where the code names a cause.

A code that only says the transfer failed (curl's 22 or 28, whose text tells a connect from a
transfer limit; rsync's 12 or 23; FTP's 550, file missing or refused) is left to the message
beside it.
"""

from resync.joblog.catalogues.entries import MEDIUM, STRONG, Entry

CURL_SOURCE = "curl 8 libcurl-errors(3): CURLcode values as `curl: (N)` prints them"
CURL_CODES = {
    5: ("connection_failure", "CURLE_COULDNT_RESOLVE_PROXY"),
    6: ("connection_failure", "CURLE_COULDNT_RESOLVE_HOST"),
    7: ("connection_failure", "CURLE_COULDNT_CONNECT"),
    9: ("permission_denied", "CURLE_REMOTE_ACCESS_DENIED"),
    27: ("out_of_memory", "CURLE_OUT_OF_MEMORY"),
    35: ("unknown", "CURLE_SSL_CONNECT_ERROR"),
    37: ("not_found", "CURLE_FILE_COULDNT_READ_FILE"),
    47: ("unknown", "CURLE_TOO_MANY_REDIRECTS"),
    52: ("connection_failure", "CURLE_GOT_NOTHING"),
    55: ("connection_failure", "CURLE_SEND_ERROR"),
    56: ("connection_failure", "CURLE_RECV_ERROR"),
    60: ("unknown", "CURLE_PEER_FAILED_VERIFICATION"),
    67: ("credentials_expired", "CURLE_LOGIN_DENIED"),
    78: ("not_found", "CURLE_REMOTE_FILE_NOT_FOUND"),
    94: ("credentials_expired", "CURLE_AUTH_ERROR"),
}

RSYNC_SOURCE = "rsync 3.2 rsync(1) EXIT VALUES, as `rsync error: … (code N)` prints them"
RSYNC_CODES = {
    10: ("connection_failure", "error in socket I/O"),
    30: ("timeout", "timeout in data send/receive"),
    35: ("connection_failure", "timeout waiting for daemon connection"),
}

FTP_SOURCE = "RFC 959 FTP reply codes (and RFC 3659), as ftp clients echo the server's replies"
# code: (class, the reply's meaning)
FTP_REPLIES = {
    421: ("connection_failure", "service not available, closing control connection"),
    425: ("connection_failure", "can't open data connection"),
    426: ("connection_failure", "connection closed; transfer aborted"),
    452: ("disk_full", "insufficient storage space in system"),
    530: ("credentials_expired", "not logged in"),
    552: ("disk_full", "exceeded storage allocation"),
}

SFTP_SOURCE = "SSH File Transfer Protocol (draft-ietf-secsh-filexfer-13) SSH_FX_* status codes"
SFTP_STATUSES = {
    "SSH_FX_NO_SUCH_FILE": (2, "not_found"),
    "SSH_FX_PERMISSION_DENIED": (3, "permission_denied"),
    "SSH_FX_NO_CONNECTION": (6, "connection_failure"),
    "SSH_FX_CONNECTION_LOST": (7, "connection_failure"),
    "SSH_FX_NO_SUCH_PATH": (10, "not_found"),
    "SSH_FX_NO_SPACE_ON_FILESYSTEM": (14, "disk_full"),
    "SSH_FX_QUOTA_EXCEEDED": (15, "disk_full"),
}


def curl_entry(code: int) -> Entry | None:
    """The entry of curl's `curl: (N)` error code, when it names a cause."""
    if code not in CURL_CODES:
        return None
    cls, name = CURL_CODES[code]
    return Entry(cls, MEDIUM if cls == "unknown" else STRONG, f"curl ({code}) {name}")


def rsync_entry(code: int) -> Entry | None:
    """The entry of rsync's `(code N)` exit value, when it names a cause."""
    if code not in RSYNC_CODES:
        return None
    cls, meaning = RSYNC_CODES[code]
    return Entry(cls, MEDIUM, f"rsync exit {code}: {meaning}")


def ftp_entry(code: int) -> Entry | None:
    """The entry of an FTP server's reply code that begins a line, when it names a cause."""
    if code not in FTP_REPLIES:
        return None
    cls, meaning = FTP_REPLIES[code]
    return Entry(cls, STRONG, f"FTP reply {code}: {meaning}")


def sftp_entry(name: str) -> Entry | None:
    """The entry of an SFTP status name (`SSH_FX_NO_SUCH_FILE`)."""
    if name not in SFTP_STATUSES:
        return None
    number, cls = SFTP_STATUSES[name]
    return Entry(cls, STRONG, f"SFTP status {number} {name}")
