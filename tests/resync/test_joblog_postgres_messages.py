"""Every catalogued PostgreSQL message maps to its class in English and in every translation
installed with PostgreSQL 15 (postgres-15.mo, libpq5-15.mo), its arguments filled in."""

from resync.joblog.catalogues import postgres
from resync.joblog.catalogues.entries import Entry
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.REFRESH\n= USER      : pgbatch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 3\n{FRAME}\n"


def filled(text: str) -> str:
    """The message's first line as a server writes it: its arguments filled in."""
    first = next(line.strip() for line in text.split("\n") if line.strip())
    return postgres._ARGUMENT.sub("sales_2026", first)


def test_the_translations_of_every_installed_locale_are_read() -> None:
    sources = {entry.source for _, entry in postgres.message_texts()}
    for locale in ("de", "fr", "es"):  # postgresql-15, libpq5: the test PostgreSQL's packages
        assert any(source.endswith(f"postgres-15.mo {locale}") for source in sources)
        assert any(source.endswith(f"libpq5-15.mo {locale}") for source in sources)


def test_every_message_in_every_locale_maps_to_its_class() -> None:
    for text, entry in postgres.message_texts():
        line = f"psql:/opt/sql/refresh.sql:41: ERROR:  {filled(text)}"
        found = {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}
        assert (entry.failure_class, entry.source) in found, line


def test_a_statement_timeout_in_german_is_a_timeout() -> None:
    german = next(
        text
        for text, entry in postgres.message_texts()
        if entry.source.endswith("postgres-15.mo de") and "57014" in entry.source
    )
    result = classify_joblog(HEAD + f"psql:/opt/sql/refresh.sql:41: FEHLER:  {german}\n" + TAIL)
    assert result.failure_class == "timeout"
    assert (
        result.evidence[0].source
        == Entry(
            "timeout",
            3.0,
            "PostgreSQL 57014: canceling statement due to statement timeout, postgres-15.mo de",
        ).source
    )


def test_the_client_frame_gives_way_to_the_reason_after_it() -> None:
    line = (
        'psql: error: connection to server at "db01" (10.1.2.3), port 5432 failed: FATAL:  '
        'password authentication failed for user "etl"'
    )
    assert classify_joblog(HEAD + line + "\n" + TAIL).failure_class == "credentials_expired"
