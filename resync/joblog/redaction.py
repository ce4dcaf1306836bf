"""Secrets out of joblogs before they are stored or shown to an LLM, and the joblog size cap.

Joblogs are untrusted text: scripts echo their command lines, connection strings and HTTP
headers. Every value that looks like a credential is replaced by `[REDACTED]`; the words
around it are kept so the failure stays readable.
"""

import re

from resync.jobs.schemas import cap_joblog

MASK = "[REDACTED]"

_PRIVATE_KEY = re.compile(
    r"-----BEGIN ([A-Z ]*)PRIVATE KEY-----.*?(-----END \1PRIVATE KEY-----|\Z)", re.DOTALL
)
_SECRET_WORDS = (
    r"password|passwd|pwd|senha|pass|secret|segredo|token|api[_-]?key|apikey|access[_-]?key"
    r"|secret[_-]?key|client[_-]?secret|credentials?|auth[_-]?token|private[_-]?key"
)
# password=…, "token": "…", pwd: …, senha = …  (the value runs to whitespace, quote or separator)
_ASSIGNMENT = re.compile(
    rf"""(?ix)\b([\w.-]*(?:{_SECRET_WORDS})[\w.-]*)(["']?\s*[:=]\s*["']?)([^\s"',;&]+)"""
)
_AUTHORIZATION = re.compile(
    r"(?i)\b((?:proxy-)?authorization\s*:\s*)([^\s\"']+(?:[ \t]+[^\s\"']+)?)"
)
_BEARER = re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})")
# user:password@host in URLs and JDBC/ODBC strings; also Oracle user/password@tns.
_URL_CREDENTIALS = re.compile(r"(?i)(\b[a-z][a-z0-9+.:-]*://[^\s:/@]+:)([^\s@/]+)(@)")
_ORACLE_LOGIN = re.compile(
    r"(?i)(\b(?:sqlplus|rman|exp|imp|expdp|impdp|sqlldr)\s+(?:-[sSlL]\w*\s+)*[\w$#]+/"
    r"|jdbc:oracle:\w+:[\w$#]+/)([^\s@]+)"
)
# -p secret, -pSecret (mysql), --password secret; not a path (`ls -p /tmp`) or another flag.
_PASSWORD_FLAG = re.compile(
    r"(?i)((?:^|\s)(?:-p|--password|--pass|--senha|-pw)(?:[ \t]+|=)?)(?![-/.~\s])(\S+)"
)
_KNOWN_TOKENS = re.compile(
    r"\b(rsk_[A-Za-z0-9_-]{20,}|sk-ant-[A-Za-z0-9_-]{10,}|gh[pousr]_[A-Za-z0-9]{20,}"
    r"|AKIA[0-9A-Z]{16}|xox[baprs]-[A-Za-z0-9-]{10,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"
    r"\.[A-Za-z0-9_-]{8,})"
)


def redact_secrets(text: str) -> str:
    """`text` with passwords, tokens, keys, credential headers and private keys masked."""
    text = _PRIVATE_KEY.sub(f"-----BEGIN PRIVATE KEY----- {MASK} -----END PRIVATE KEY-----", text)
    text = _AUTHORIZATION.sub(rf"\g<1>{MASK}", text)
    text = _BEARER.sub(rf"\g<1>{MASK}", text)
    text = _URL_CREDENTIALS.sub(rf"\g<1>{MASK}\g<3>", text)
    text = _ORACLE_LOGIN.sub(rf"\g<1>{MASK}", text)
    text = _ASSIGNMENT.sub(rf"\g<1>\g<2>{MASK}", text)
    text = _PASSWORD_FLAG.sub(rf"\g<1>{MASK}", text)
    return _KNOWN_TOKENS.sub(MASK, text)


def redact_joblog(joblog: str | None, max_bytes: int) -> str:
    """The joblog with its secrets masked, keeping only its end within `max_bytes` of UTF-8."""
    return cap_joblog(redact_secrets(joblog or ""), max_bytes) or ""
