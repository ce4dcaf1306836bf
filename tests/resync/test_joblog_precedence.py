"""Which evidence speaks when a failing tail holds several: the precedences between classes, the
lines that carry no cause of their own (counters, column headings, advice to retry later, codes
named as not the cause), the retries and the catalogue forms that blind set D's and the second
public set's eval misses showed missing, each on examples of its own."""

import pytest

from resync.joblog.catalogues import databases, windows
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings
from resync.joblog.tail import line_marks

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : FTA-EU-07#DAILY.SETTLE_BOOKS\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 3\n{FRAME}\n"


def found(line: str) -> set[tuple[str, str]]:
    return {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}


def classes(line: str) -> set[str]:
    return {f.entry.failure_class for f in line_findings(line)}


def classify(*body: str) -> str:
    return classify_joblog(HEAD + "\n".join(body) + "\n" + TAIL).failure_class


def test_credentials_refused_over_the_connection_that_carried_them() -> None:
    assert (
        classify(
            "fetch.sh: attempt 1: ssh: connect to host sftp01 port 22: Connection timed out",
            "fetch.sh: retrying in 60 s",
            "fetch.sh: attempt 2: failed to connect to sftp01: Permission denied (publickey).",
        )
        == "credentials_expired"
    )


def test_a_db2_message_wrapped_up_to_its_sqlstate_line_is_one_error() -> None:
    assert (
        classify(
            "load_gl.ksh: db2 connect to GLPRD user GLBATCH",
            'SQL30082N  Security processing failed with reason "1" ("PASSWORD',
            'EXPIRED").  SQLSTATE=08001',
        )
        == "credentials_expired"
    )
    assert (
        classify(
            "SQL0551N  The statement failed because the authorization ID does not have the",
            "required authorization or privilege to perform the operation.  Authorization ID:",
            '"ETLUSR".  Operation: "SELECT". Object: "FIN.LEDGER".  SQLSTATE=42501',
        )
        == "permission_denied"
    )


def test_a_routine_s_diagnostic_text_quotes_the_db2_message_without_its_suffix() -> None:
    line = 'SQLCODE=-443, SQLSTATE=38553: diagnostic text "SQL0552 Reason code or token: ETL".'
    assert ("permission_denied", "Db2 SQL0552") in found(line)
    assert found("migrating the SQL2019 instance to SQL2022") == set()


def test_a_prerequisite_check_s_absent_file_is_a_dependency_not_a_missing_file() -> None:
    assert (
        classify(
            "wait_inputs.sh: probing /interfaces/in/crm/accounts.ok",
            "ls: cannot access '/interfaces/in/crm/accounts.ok': No such file or directory",
            "wait_inputs.sh: READY marker of the CRM accounts feed absent, CRM extract not done",
        )
        == "dependency_not_satisfied"
    )


def test_a_wait_that_ran_out_of_time_on_a_prerequisite_is_a_dependency_not_a_timeout() -> None:
    assert (
        classify(
            "poll_feed.ps1: checking \\\\nas02\\feeds\\fx_rates.csv every 60 s",
            "poll_feed.ps1: Timeout waiting for the upstream extract of CRM, not delivered",
        )
        == "dependency_not_satisfied"
    )


@pytest.mark.parametrize(
    "line",
    [
        "check_eod: sentinel for ledger close absent on fs04",
        "wait_mq.sh: control message from PAYMENTS not yet received at 06:10",
        "File /import/hr/people.csv not found after waiting 900 seconds",
        "marker /lake/sales/dt=2026-11-30/_READY never appeared before 05:00",
        "sync.sh: waiting for the payroll file to arrive on /in/payroll",
        "carga_dw.sh: o job de extração do faturamento ainda não executou",
        "ERRO: encerramento do mês 11/2026 da filial 12 não foi efetuado",
        "close_check: month-end close for entity 4410 not complete",
    ],
)
def test_prerequisites_said_in_words(line: str) -> None:
    assert "dependency_not_satisfied" in classes(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("psql:refresh.sql:8: ERROR:  out of shared memory", "out_of_memory"),
        ("sort_keys: out of process memory while merging runs", "out_of_memory"),
        (
            "ERROR:  could not serialize access due to read/write dependencies among transactions",
            "database_error",
        ),
        ("restart transaction: txn 5d2f was aborted due to a write conflict", "database_error"),
        ("Exceção: impossível conectar-se a sftp.banco.example.com.br", "connection_failure"),
    ],
)
def test_message_forms(line: str, expected: str) -> None:
    assert expected in classes(line)


def test_dotnet_s_file_not_found_messages_are_as_exact_as_a_code() -> None:
    for message in (
        "Could not find file 'E:\\in\\rates.xml'.",
        "Could not find a part of the path 'E:\\in'.",
    ):
        assert (
            classify(
                "Upload step: System.Net.Sockets.SocketException: Connection reset by peer",
                "Upload step skipped, continuing with the report",
                f"Error {message}",
            )
            == "not_found"
        )


@pytest.mark.parametrize(
    "line",
    [
        "deploy.sh: line 40: syntax error near unexpected token `done'",
        "rotina.sh: linha 12: erro de sintaxe próximo ao token inesperado `then'",
        "purge.sh: line 88: syntax error: unexpected end of file",
    ],
)
def test_a_script_s_syntax_error_is_a_bug_outside_the_classes(line: str) -> None:
    assert (
        classify(
            "cat: /var/log/batch/prev.log: No such file or directory",
            "WARNING: no previous log to rotate",
            line,
        )
        == "unknown"
    )


def test_a_job_s_own_output_that_was_not_created_is_no_dependency() -> None:
    assert "dependency_not_satisfied" not in classes(
        "ERROR: report file /out/kpi.pdf was not created"
    )
    assert "dependency_not_satisfied" not in classes("closing the session: not complete")


def test_a_counter_of_unreachable_hosts_is_no_failure() -> None:
    assert classes("db07 : ok=5 changed=1 unreachable=0 failed=0 skipped=2") == set()
    assert "connection_failure" in classes("fatal: [db07]: host db07 is unreachable")


def test_column_headings_are_no_error_line() -> None:
    assert not line_marks(
        "            Total    Copied   Skipped  Mismatch    FAILED    Extras"
    ).error
    assert line_marks("FAILED to copy the summary table").error
    assert (
        classify(
            "2026/12/01 06:00:04 ERROR 5 (0x00000005) Copying File D:\\out\\a.csv",
            "Access is denied.",
            "Waiting 30 seconds... Retrying...",
            "",
            "            Total    Copied   Skipped  Mismatch    FAILED    Extras",
            "   Files :        12         0         0         0        12         0",
        )
        == "permission_denied"
    )


def test_advice_to_retry_later_is_no_retry() -> None:
    assert (
        classify(
            "sender: AMQ9213E: A communications error for TCP/IP occurred, retry later.",
            "sender: ERROR: batch of 200 payments not sent",
        )
        == "connection_failure"
    )


def test_the_error_a_retry_announcement_names_is_the_retried_attempt_s() -> None:
    assert (
        classify(
            "worker: dial tcp 10.0.0.8:5432: connect: connection refused; reconnecting in 5s",
            'ERROR:  duplicate key value violates unique constraint "orders_pkey"',
        )
        == "database_error"
    )
    assert (
        classify(
            "WARN TaskSetManager: Lost task 3.0: java.net.SocketException: Connection reset",
            "INFO DAGScheduler: Resubmitting failed stages",
            "ERROR: java.util.concurrent.TimeoutException: query did not return within 600 s",
        )
        == "timeout"
    )


def test_a_code_named_as_not_the_cause_is_no_evidence() -> None:
    assert found("run_sql.ksh: errors other than ORA-00955 found in the log, rc=4") == set()
    assert (
        classify(
            "ORA-01652: unable to extend temp segment by 128 in tablespace TEMP",
            "run_sql.ksh: errors other than ORA-00955 found in the log, rc=4",
        )
        == "disk_full"
    )


def test_plsql_predefined_exceptions_map_where_the_reference_says() -> None:
    for number, cls in databases.PLSQL_PREDEFINED.items():
        assert (cls, f"Oracle ORA-{number:05d} (PL/SQL predefined)") in found(
            f"ORA-{number:05d}: message text"
        )


def test_a_plsql_value_error_under_its_frames_is_a_database_error() -> None:
    assert (
        classify(
            "ORA-06502: PL/SQL: numeric or value error: number precision too large",
            'ORA-06512: at "FIN.CALC_RATIOS", line 41',
            "ORA-06512: at line 3",
        )
        == "database_error"
    )


def test_an_instance_that_is_down_is_weaker_than_the_cause_before_it() -> None:
    assert (
        classify(
            "ORA-04030: out of process memory when trying to allocate 65560 bytes",
            "DBCA_PROGRESS : DBCA Operation failed.",
            "Connected to an idle instance.",
            "SQL> startup mount",
            "ORA-01034: ORACLE not available",
        )
        == "out_of_memory"
    )
    assert classify("ORA-01034: ORACLE not available") == "connection_failure"


def test_windows_messages_in_their_other_locales() -> None:
    for locale, texts in windows.WINDOWS_OTHER_LOCALES.items():
        for code, text in texts.items():
            cls = windows.WINDOWS_ERRORS[code][2]
            assert (cls, f"Windows error {code} ({locale})") in found(f"Erreur : {text}."), text
    typographic = "Erreur : Le chemin d\u2019accès spécifié est introuvable."
    assert ("not_found", "Windows error 3 (fr-FR)") in found(typographic)
