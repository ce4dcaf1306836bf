"""Every catalogue entry is found in a joblog line as its catalogue says: system error texts in
every installed locale, Windows messages and codes, HTTP statuses, database codes, exception
names, exit statuses, AWK codes and workflow engines' messages."""

from collections.abc import Iterator

import pytest

from resync.joblog.catalogues import databases, exceptions, platforms, strerror, windows
from resync.joblog.catalogues.entries import Entry
from resync.joblog.evidence import line_findings


def found(line: str) -> set[tuple[str, str]]:
    return {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}


def assert_maps(line: str, entry: Entry) -> None:
    """The entry's class (a text two catalogues or locales share is found under one of them)."""
    assert entry.failure_class in {cls for cls, _ in found(line)}, line


def test_glibc_catalogues_of_every_installed_locale_are_read() -> None:
    locales = {path.parent.parent.name for path in strerror.installed_locales()}
    assert {"pt_BR", "pt", "de", "fr", "es"} <= locales  # packages.apt: libc-l10n
    texts = strerror.strerror_texts()
    assert texts["Não há espaço disponível no dispositivo"] == Entry(
        "disk_full", 3.0, "glibc ENOSPC (28), libc.mo pt_BR"
    )
    assert texts["Keine Berechtigung"].failure_class == "permission_denied"
    assert len(texts) > 20 * len(locales)


def strerror_cases() -> Iterator[tuple[str, Entry]]:
    yield from strerror.strerror_texts().items()


def test_every_system_error_text_in_every_locale_maps_to_its_class() -> None:
    for text, entry in strerror_cases():
        assert_maps(f"cp: cannot write '/data/out/x': {text}", entry)


def test_errno_numbers_and_names_map_like_their_texts() -> None:
    for name, (number, _, cls, _) in strerror.ERRNO.items():
        assert cls in {c for c, _ in found(f"OSError: [Errno {number}] boom")}
        assert (cls, f"errno {name} ({number})") in found(f"write failed ({name})")
    for name, (_, cls, _) in strerror.RESOLVER.items():
        if name.startswith("EAI_"):
            assert (cls, f"gai_strerror {name}") in found(f"getaddrinfo: {name}")


def test_windows_codes_and_messages_in_english_and_portuguese() -> None:
    for code, (english, portuguese, cls) in windows.WINDOWS_ERRORS.items():
        assert (cls, f"Windows error {code}") in found(f"System error {code} has occurred.")
        assert (cls, f"Windows error {code}") in found(f"{english}.")
        if portuguese:
            assert (cls, f"Windows error {code} (pt-BR)") in found(f"{portuguese}.")


def test_http_statuses() -> None:
    for status, (reason, cls) in platforms.HTTP_STATUSES.items():
        assert (cls, f"HTTP {status} {reason}") in found(f"curl: HTTP status {status} from server")
        assert (cls, f"HTTP {status} {reason}") in found(f"HTTP/1.1 {status} {reason}")


@pytest.mark.parametrize("prefix", ["ORA", "TNS"])
def test_oracle_codes_families_and_frames(prefix: str) -> None:
    for code, cls in databases.ORACLE_CODES.items():
        assert cls in {c for c, _ in found(f"{prefix}-{code:05d}: message")}
    assert ("connection_failure", "Oracle ORA-12541 (ORA-12150–12699)") in found(
        "ORA-12541: TNS:no listener"
    )
    assert found("ORA-06512: at line 12") == set()


def test_db2_messages_and_sqlcodes() -> None:
    for code, cls in databases.DB2_CODES.items():
        assert (cls, f"Db2 SQL{code:04d}N") in found(f"SQL{code:04d}N  Message text.")
        assert (cls, f"Db2 SQLCODE -{code}") in found(f"DSNT408I SQLCODE = -{code}, ERROR")
    assert ("database_error", "Db2 SQL0101N") in found("SQL0101N  The statement is too long.")


def test_sql_server_messages_and_sqlstates() -> None:
    for code, cls in databases.SQLSERVER_CODES.items():
        assert (cls, f"SQL Server Msg {code}") in found(f"Msg {code}, Level 16, State 1")
    for code, cls in databases.SQLSTATE_CODES.items():
        assert (cls, f"SQLSTATE {code}") in found(f"failed. SQLSTATE={code}")
    for prefix, cls in databases.SQLSTATE_CLASSES.items():
        assert cls in {c for c, _ in found(f"[SQLSTATE {prefix}9Z9] error")}


def test_exception_names_and_families() -> None:
    for name, (cls, _) in exceptions.NAMES.items():
        assert (cls, f"exception {name}") in found(f"com.acme.{name}: boom")
    assert ("timeout", "exception …TimeoutException (PricingTimeoutException)") in found(
        "com.acme.PricingTimeoutException: waited 30 s"
    )


def test_exit_statuses_awk_codes_and_workflow_messages() -> None:
    for status, (cls, _, meaning) in platforms.EXIT_STATUSES.items():
        assert (cls, f"exit status {status}: {meaning}") in found(f"= Exit Status : {status}")
    for code, cls in platforms.AWK_CODES.items():
        assert (cls, f"HWA {code}") in found(f"{code} The operation failed.")
    for text, entry in platforms.workflow_texts().items():
        assert_maps(f"[2026-12-06 02:00:01] ERROR - {text}", entry)
