"""Secrets out of joblogs before they are stored or shown to an LLM, and the joblog size cap.

Joblogs are untrusted text: scripts echo their command lines, connection strings and HTTP
headers. Every secret the catalogue finds (`secret_catalogue`: gitleaks' rules and Resync's own
for the tools TWS jobs run, all run by RE2 in time linear in the text) is replaced by
`[REDACTED]`; the words around it are kept so the failure stays readable.
"""

import re2

from resync.joblog.secret_catalogue import secret_spans
from resync.jobs.schemas import TRUNCATION_MARK, cap_joblog

MASK = "[REDACTED]"

# What is left of a key block or a token cut in two by the cap: lines of key material alone.
_KEY_MATERIAL_LINES = re2.compile(r"\A(?:[A-Za-z0-9+/=]{16,}\r?\n)+")


def redact_secrets(text: str) -> str:
    """`text` with passwords, tokens, keys, credential headers and private keys masked."""
    data, spans = secret_spans(text)
    if not spans:
        return text
    pieces, position, mask = [], 0, MASK.encode()
    for start, end in spans:
        pieces += [data[position:start], mask]
        position = end
    pieces.append(data[position:])
    return b"".join(pieces).decode()


def redact_joblog(joblog: str | None, max_bytes: int) -> str:
    """The joblog's end within `max_bytes` of UTF-8, with its secrets masked.

    The cap comes first, so redaction never reads more than `max_bytes`. The line the cap cuts,
    and the key material under it, are dropped: a secret cut from its name is not recognisable.
    """
    capped = cap_joblog(joblog or "", max_bytes) or ""
    if capped.startswith(TRUNCATION_MARK):
        tail = capped[len(TRUNCATION_MARK) :]
        tail = tail[tail.find("\n") + 1 :] if "\n" in tail else ""
        capped = TRUNCATION_MARK + _KEY_MATERIAL_LINES.sub("", tail)
    return cap_joblog(redact_secrets(capped), max_bytes) or ""
