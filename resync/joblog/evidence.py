"""The evidence one joblog line gives: every catalogue text, code and phrase found in it.

Literal texts (system error messages in every installed locale, Windows messages, HTTP reason
phrases) are found in one pass by a regular expression built as a trie, PostgreSQL's messages in
every installed locale by one pass of a pattern set; codes (ORA-, TNS-,
SQLxxxxN, SQLCODE, SQLSTATE, SQL Server `Msg`, MySQL, Teradata, IBM MQ and Spectrum Protect
codes, HTTP and Windows error numbers, errno names and numbers, AWK… codes, exception class
names, exit statuses) by their own patterns; then the phrases. Where two findings of one class
cover the same words, the stronger is kept; of two classes, the longer: it is the more specific
(`Permission denied (publickey)` over `Permission denied`).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, lru_cache

from resync.joblog.catalogues import (
    databases,
    exceptions,
    platforms,
    postgres,
    products,
    statement_errors,
    strerror,
    transfers,
    windows,
)
from resync.joblog.catalogues.entries import CARRIER, MEDIUM, STRONG, Entry, fold, pattern_set
from resync.joblog.catalogues.phrases import phrase_matches
from resync.joblog.signatures import EXIT_MARK


@dataclass(frozen=True)
class Finding:
    """An entry found in a line, and where (character offsets in the folded line)."""

    start: int
    end: int
    entry: Entry
    text: str


def _trie_pattern(texts: list[str]) -> str:
    trie: dict = {}
    for text in texts:
        node = trie
        for char in text:
            node = node.setdefault(char, {})
        node[""] = {}

    def render(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + render(child) for char, child in node.items() if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body

    return render(trie)


@cache
def _literal_texts() -> tuple[re.Pattern[str], dict[str, Entry]]:
    catalogued = (
        strerror.strerror_texts()
        | windows.windows_texts()
        | platforms.http_texts()
        | platforms.workflow_texts()
        | statement_errors.sqlserver_texts()
    )
    entries: dict[str, Entry] = {}
    for text, entry in catalogued.items():
        entries.setdefault(fold(text).strip(" ."), entry)
    pattern = re.compile(rf"(?<!\w)(?:{_trie_pattern(sorted(entries))})(?!\w)")
    return pattern, entries


def _number(group: str) -> int:
    return int(group, 16) if group.lower().startswith("0x") else int(group)


# (words one of which the folded line must hold, the pattern, the entry of a match)
_CODE_PATTERNS: tuple[
    tuple[tuple[str, ...], re.Pattern[str], Callable[[re.Match[str]], Entry | None]], ...
] = (
    (
        ("ora-", "tns-", "pls-"),
        re.compile(r"\b(ORA|TNS|PLS)-(\d{5})\b", re.IGNORECASE),
        lambda m: databases.oracle_entry(m[1].upper(), int(m[2])),
    ),
    (
        ("sql",),
        # A routine's diagnostic text quotes the message it got without its suffix (`SQL0551`).
        re.compile(r"\bSQL(\d{4,5})([NC])\b|\bSQL(0\d{3})\b"),
        lambda m: databases.db2_entry(int(m[1] or m[3]), f"SQL{m[1] or m[3]}{m[2] or ''}"),
    ),
    (
        ("sqlcode",),
        re.compile(r"\bSQLCODE\s*[=:]?\s*-(\d+)", re.IGNORECASE),
        lambda m: databases.db2_entry(int(m[1]), f"SQLCODE -{m[1]}"),
    ),
    (
        ("state",),
        re.compile(r"\bSQL\s?STATE\s*[=:\[(]?\s*([0-9A-Z]{5})\b", re.IGNORECASE),
        lambda m: databases.sqlstate_entry(m[1]),
    ),
    (
        ("msg", "mensagem", "meldung", "mensaje", "messaggio", "(error ", "severity"),
        re.compile(
            # sqlcmd's header in en-US, pt-BR, de-DE, fr-FR, es-ES and it-IT.
            r"\b(?:Msg|Mensagem|Meldung|Mensaje|Messaggio)\s+(\d+),\s*"
            r"(?:Level|N[ií]vel|Ebene|Niveau|Nivel|Livello)\b|\(Error (\d+)\)"
            r"|\bError:\s*(\d+),\s*Severity",
            re.IGNORECASE,
        ),
        lambda m: databases.sqlserver_entry(int(m[1] or m[2] or m[3])),
    ),
    (
        ("error",),
        re.compile(r"\bERROR (\d{4}) \([0-9A-Z]{5}\)|\bGot error: (\d{4}):"),
        lambda m: products.mysql_entry(int(m[1] or m[2])),
    ),
    (
        ("failure", "error"),
        re.compile(
            r"\*\*\* (?:Failure|Error) (\d{4})\b|\[Error (\d{4})\] \[SQLState"
            r"|\bRDBMS error (\d{4})\b"
        ),
        lambda m: products.teradata_entry(int(m[1] or m[2] or m[3])),
    ),
    (
        ("mq", "reason", "amq"),
        re.compile(
            r"\bMQ\w*\b.{0,80}?\breason(?: code)?\s*[:=]?\s*'?(\d{4})\b|\bMQRC\D{0,3}(\d{4})\b"
            r"|\bCompCode\s*[:=]\s*\d,?\s*Reason\s*[:=]\s*'?(\d{4})\b|\bAMQ(9\d{3})[EWIS]?\b",
            re.IGNORECASE,
        ),
        lambda m: products.mq_entry(int(m[1] or m[2] or m[3] or m[4]), m[4] is not None),
    ),
    (("mqrc_",), re.compile(r"\b(MQRC_[A-Z_]+)\b"), lambda m: products.mq_name_entry(m[1])),
    (("ans",), re.compile(r"\bANS(\d{4})[ESWI]\b"), lambda m: products.tsm_entry(int(m[1]))),
    (
        ("status",),
        re.compile(r"\bFILE[- ]STATUS(?:\s+IS)?\s*[:=]?\s*(\d{2})\b", re.IGNORECASE),
        lambda m: products.cobol_status_entry(int(m[1])),
    ),
    (("aadsts",), re.compile(r"\bAADSTS(\d{5,7})\b"), lambda m: products.entra_entry(int(m[1]))),
    (("curl",), re.compile(r"\bcurl: \((\d{1,3})\)"), lambda m: transfers.curl_entry(int(m[1]))),
    (
        ("rsync",),
        re.compile(r"\brsync error: .*\(code (\d{1,3})\)"),
        lambda m: transfers.rsync_entry(int(m[1])),
    ),
    (
        ("421", "425", "426", "452", "530", "552"),
        # An FTP server's reply, as the client echoes it: the code begins the line and its text
        # speaks of a login, a connection or storage.
        re.compile(
            r"^\s*(421|425|426|452|530|552)[ -](?=.*\b(log(ged|in)|pass(word)?|user|authenticat"
            r"|denied|incorrect|connection|service|data|transfer|abort|storage|space|quota"
            r"|allocation|exceeded|closing)\b)",
            re.IGNORECASE,
        ),
        lambda m: transfers.ftp_entry(int(m[1])),
    ),
    (("ssh_fx_",), re.compile(r"\b(SSH_FX_[A-Z_]+)\b"), lambda m: transfers.sftp_entry(m[1])),
    (
        ("http", "status", "code", "error", "codigo"),
        re.compile(
            r"\bHTTP(?:/\d(?:\.\d)?)?\s*(?:error|status|code|erro)?\s*[:=]?\s*(\d{3})\b"
            r"|\b(?:status(?: code)?|response code|http_code|statuscode|returned error"
            r"|c[oó]digo de status)\s*[:=]?\s*(\d{3})\b|\b(?:ERROR|Erro)\s+(\d{3}):"
            r"|\berror:\s*\((\d{3})\)",
            re.IGNORECASE,
        ),
        lambda m: platforms.http_entry(int(m[1] or m[2] or m[3] or m[4])),
    ),
    (
        ("error", "erro", "0x8007", "failed"),
        re.compile(
            r"\b(?:System error|Erro de sistema|WinError|Win32 error|LastError"
            r"|GetLastError\(\)(?: returned)?|os error)\s*[:=]?\s*(\d{1,5})\b"
            r"|\b0x8007(?=[0-9A-F]{4}\b)([0-9A-F]{4})|\bERRO(?:R)? (\d{1,5}) \(0x[0-9A-F]{8}\)"
            r"|\bFAILED (\d{1,5}):",
            re.IGNORECASE,
        ),
        lambda m: windows.windows_entry(int(m[2], 16) if m[2] else int(m[1] or m[3] or m[4])),
    ),
    (
        # MySQL/MariaDB print the OS errno under a write or read error as `(Errcode: 28 - …)`.
        ("errno", "errcode"),
        re.compile(r"\[?\b(?:errno|errcode)\s*[=:]?\s*(\d{1,3})\b", re.IGNORECASE),
        lambda m: strerror.errno_entry(int(m[1])),
    ),
    (
        ("e",),
        re.compile(r"\b(E[A-Z0-9]{2,}|EAI_[A-Z]+)\b"),
        lambda m: strerror.errno_name_entry(m[1]),
    ),
    (("awk",), re.compile(r"\b(AWK[A-Z]{3}\d{3,4}[EWI])\b"), lambda m: platforms.awk_entry(m[1])),
    (
        (
            "exception",
            "error",
            "timeout",
            "gaierror",
            "nosuchkey",
            "nosuchbucket",
            "uniqueviolation",
        ),
        re.compile(
            r"(?<![\w$])((?:[A-Za-z_$][\w$]*?)?(?:Exception|Error|Timeout|TimeoutExpired|gaierror"
            r"|NoSuchKey|NoSuchBucket|UniqueViolation))\b"
        ),
        lambda m: exceptions.exception_entry(m[1]),
    ),
    (
        ("exit", "return", "rc", "codigo", "status", "terminou"),
        EXIT_MARK,
        lambda m: platforms.exit_status_entry(_number(m[4] or m[7])),
    ),
)
# The words of each code pattern: one pass over a folded line tells which to try.
_CODE_WORDS = pattern_set("|".join(map(re.escape, words)) for words, _, _ in _CODE_PATTERNS)


PHRASE_STRENGTHS = {"strong": STRONG, "phrase": MEDIUM, "carrier": CARRIER}


def _phrase_entry(name: str, kind: str) -> Entry:
    return Entry(name, PHRASE_STRENGTHS[kind], f"phrase: {name}")


# A code or message a line names as not the cause (`error other than ORA-00942`).
_NEGATED = re.compile(
    r"\b(other than|different from|diferente d[eoa]s?|except(ing)?|exceto|apart from|besides"
    r"|alem d[eoa]s?|ignor(ed|ing|ad[oa]s?|ando))\W{0,3}$"
)


@lru_cache(maxsize=16384)
def line_findings(line: str) -> tuple[Finding, ...]:
    """Every entry found in `line`, overlapping findings resolved to the longest (cached: TWS
    frames and tools repeat their lines from one joblog to the next)."""
    folded = fold(line)
    pattern, entries = _literal_texts()
    found = [
        Finding(m.start(), m.end(), entries[m[0]], m[0])
        for m in pattern.finditer(folded)
        if m[0] in entries
    ]
    found += [
        Finding(start, end, entry, folded[start:end])
        for start, end, entry in postgres.message_matches(folded)
    ]
    found += [
        Finding(start, end, _phrase_entry(name, kind), folded[start:end])
        for start, end, name, kind in phrase_matches(folded)
    ]
    # Codes are found in the original line; folding keeps its length for these ASCII codes.
    for index in sorted(_CODE_WORDS.Match(folded) or ()):
        _, code, entry_of = _CODE_PATTERNS[index]
        for match in code.finditer(line):
            entry = entry_of(match)
            if entry is not None:
                found.append(Finding(match.start(), match.end(), entry, match[0]))
    found = [f for f in found if not _NEGATED.search(folded, max(0, f.start - 30), f.start)]
    found = [
        f
        for f in found
        if not any(
            o.entry.failure_class == f.entry.failure_class
            and o.entry.strength > f.entry.strength
            and o.start < f.end
            and f.start < o.end
            for o in found
        )
    ]
    kept: list[Finding] = []
    for finding in sorted(found, key=lambda f: (f.start - f.end, -f.entry.strength)):
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return tuple(sorted(kept, key=lambda f: f.start))
