"""Every entry of the statement-error catalogue maps where it says (Oracle, Db2, SQLSTATE codes,
SQL Server message texts in each locale and sqlcmd's localized headers), and the catalogue
strengths that let a more exact code speak: a SQLSTATE class below the message number beside
it, Java's FileNotFoundException below the system reason it quotes, ORA-28002 a warning."""

import pytest

from resync.joblog.catalogues import statement_errors
from resync.joblog.catalogues.entries import MEDIUM, WEAK
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.LOAD_LEDGER\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 8\n{FRAME}\n"


def found(line: str) -> set[tuple[str, str]]:
    return {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


def test_oracle_db2_and_sqlstate_statement_errors() -> None:
    for code, cls in statement_errors.ORACLE_STATEMENT_ERRORS.items():
        assert (cls, f"Oracle ORA-{code:05d}") in found(f"ORA-{code:05d}: message text")
    for code, cls in statement_errors.DB2_STATEMENT_ERRORS.items():
        assert (cls, f"Db2 SQL{code:04d}N") in found(f"SQL{code:04d}N  Message text.")
    for code, cls in statement_errors.SQLSTATE_STATEMENT_CODES.items():
        assert (cls, f"SQLSTATE {code}") in found(f"ERROR: statement failed. SQLSTATE={code}")


def test_sql_server_message_texts_in_every_locale() -> None:
    for number, (cls, texts) in statement_errors.SQLSERVER_TEXTS.items():
        for locale, text in texts.items():
            line = f"com.microsoft.sqlserver.jdbc.SQLServerException: {text} 'x'."
            assert (cls, f"SQL Server Msg {number} ({locale})") in found(line)


@pytest.mark.parametrize(
    "header",
    [
        "Msg 18456, Level 14, State 1, Server SQL01, Line 1",
        "Mensagem 18456, Nível 14, Estado 1, Servidor SQL01, Linha 1",
        "Meldung 18456, Ebene 14, Status 1, Server SQL01, Zeile 1",
        "Msg 18456, Niveau 14, État 1, Serveur SQL01, Ligne 1",
        "Mensaje 18456, Nivel 14, Estado 1, Servidor SQL01, Línea 1",
        "Messaggio 18456, livello 14, stato 1, server SQL01, riga 1",
    ],
)
def test_sqlcmd_headers_in_every_locale(header: str) -> None:
    assert ("credentials_expired", "SQL Server Msg 18456") in found(header)


def test_a_statement_error_decides_over_an_ignored_missing_table_before_it() -> None:
    result = classify_joblog(
        joblog(
            "SQL> DROP TABLE rpt.summary_new PURGE;",
            "ERROR at line 1:",
            "ORA-00942: table or view does not exist",
            "SQL> CREATE TABLE rpt.summary_new AS SELECT region_cd FROM sales.lines;",
            "ERROR at line 1:",
            'ORA-00904: "REGION_CD": invalid identifier',
        )
    )
    assert result.failure_class == "database_error"


def test_a_sqlstate_class_is_weaker_than_the_db2_message_it_ends() -> None:
    assert {f.entry.strength for f in line_findings("SQLSTATE=08001")} == {MEDIUM}
    result = classify_joblog(
        joblog(
            'SQL30082N  Security processing failed with reason "1" ("PASSWORD EXPIRED").',
            "SQLSTATE=08001",
            "SQL1024N  A database connection does not exist.  SQLSTATE=08003",
        )
    )
    assert result.failure_class == "credentials_expired"


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("No such file or directory", "not_found"),
        ("Permission denied", "permission_denied"),
        ("Too many open files", "unknown"),
        ("Arquivo ou diretório inexistente", "not_found"),
    ],
)
def test_java_file_not_found_is_read_by_the_system_reason_it_quotes(
    reason: str, expected: str
) -> None:
    result = classify_joblog(
        joblog(
            f"java.io.FileNotFoundException: /data/in/ST-0004110.pdf ({reason})",
            "\tat java.base/java.io.FileInputStream.open0(Native Method)",
        )
    )
    assert result.failure_class == expected


def test_a_password_that_will_expire_is_a_warning() -> None:
    assert {f.entry.strength for f in line_findings("ORA-28002: the password will expire")} == {
        WEAK
    }
    result = classify_joblog(
        joblog("oci_pconnect(): OCI_SUCCESS_WITH_INFO: ORA-28002: the password will expire")
    )
    assert result.failure_class == "unknown"
