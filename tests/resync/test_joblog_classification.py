"""Root cause from the catalogue evidence of the failing tail: classes in English and
Portuguese, evidence lines with their sources, recovered earlier errors, nested causes, and
`unknown` rather than a guess."""

import pytest

from resync.joblog.classification import (
    DECIDING_SCORE,
    FAILURE_CLASSES,
    FailureClass,
    classify_joblog,
)

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-01#NIGHTLY.LOAD_SALES\n= USER      : twsuser\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 8\n{FRAME}\n"


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


def test_the_classes_are_the_literal_of_the_card() -> None:
    assert set(FAILURE_CLASSES) == set(FailureClass.__args__)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tar: /data/x.tar: Cannot write: No space left on device", "disk_full"),
        ("cp: erro ao escrever '/b/x': Não há espaço disponível no dispositivo", "disk_full"),
        ("/bin/sh: /opt/batch/run.sh: Permission denied", "permission_denied"),
        ("ERRO: acesso negado ao arquivo /dados/x.csv", "permission_denied"),
        ("bash: sqlcmd: command not found", "not_found"),
        ("ERRO: o script /opt/batch/x.sh não foi encontrado", "not_found"),
        ("ssh: connect to host db01 port 22: No route to host", "connection_failure"),
        ("ERRO: não foi possível conectar a db01:1521: Conexão recusada", "connection_failure"),
        ("ORA-01653: unable to extend table DW.SALES by 128 in tablespace USERS", "disk_full"),
        ("DSNT408I SQLCODE = -911, ERROR:  DEADLOCK", "database_error"),
        ('psql:/opt/sql/x.sql:4: ERROR:  relation "sales" does not exist', "not_found"),
        ('Exception in thread "main" java.lang.OutOfMemoryError: Java heap space', "out_of_memory"),
        ("ERRO: memória insuficiente para processar o lote 42", "out_of_memory"),
        ("AWKJCL099E The job exceeded its maximum duration (MAXDUR 02:00)", "timeout"),
        ("ERRO: tempo limite de execução excedido após 60 minutos", "timeout"),
        ("ORA-28001: the password has expired", "credentials_expired"),
        ("ERRO: senha expirada para o usuário batch", "credentials_expired"),
        ("ERROR: predecessor job NIGHTLY.EXTRACT did not complete", "dependency_not_satisfied"),
        ("ERRO: arquivo de entrada /dados/v.csv não encontrado", "dependency_not_satisfied"),
        ("ORA-00257: archiver error. Connect internal only, until freed.", "disk_full"),
        ("Msg 229: The SELECT permission was denied on the object 'SALES'", "permission_denied"),
        ("sh: 1: zip: não encontrado", "not_found"),
        ("AVISO: o job ultrapassou a duração máxima permitida (01:00)", "timeout"),
        ("ERROR: MQCONN failed: host mq01 unreachable (reason 2538)", "connection_failure"),
    ],
)
def test_each_class_in_english_and_portuguese_cites_its_line(line: str, expected: str) -> None:
    result = classify_joblog(joblog("Starting", line))
    assert (result.failure_class, result.method) == (expected, "catalogue")
    assert result.confidence >= 0.6
    assert [(e.line, e.text) for e in result.evidence] == [
        (6, line),
        (8, "= Exit Status           : 8"),
    ]
    assert result.evidence[0].source
    assert result.candidates[expected] >= DECIDING_SCORE


def test_an_earlier_recovered_error_is_not_the_cause() -> None:
    result = classify_joblog(
        joblog(
            "ERROR: could not connect to db01:5432: Connection refused; retrying",
            "Reconnected to db01 on attempt 2",
            "Processed 1200 rows",
            "gzip: /data/out/x.gz: No space left on device",
            "ERROR: step COMPRESS failed",
        )
    )
    assert result.failure_class == "disk_full"
    assert [(e.line, e.source) for e in result.evidence] == [
        (8, "glibc ENOSPC (28)"),
        (11, None),
    ]
    assert result.decisive_lines == [8]


def test_a_recovery_after_the_last_error_leaves_no_decisive_failure() -> None:
    result = classify_joblog(
        joblog("ERROR: connection refused; retrying", "Reconnected on attempt 2", "Rows: 12")
    )
    assert (result.failure_class, result.method, result.confidence) == ("unknown", "none", 0.0)
    assert (
        result.explanation
        == "No decisive failure: the job's last error was followed by a recovery."
    )
    assert [e.line for e in result.evidence] == [9]


def test_an_uncovered_error_is_unknown_with_its_lines_even_after_a_covered_one() -> None:
    result = classify_joblog(
        joblog(
            "ERROR: could not connect to db01: Connection refused; retrying",
            "Reconnected to db01 on attempt 2",
            "ERROR: checksum mismatch for /data/in/x.zip",
        )
    )
    assert (result.failure_class, result.method) == ("unknown", "catalogue")
    assert result.decisive_lines == [7]
    assert result.explanation == "The failure's cause is outside the classes (phrase: unknown)."


def test_a_stack_trace_belongs_to_its_exception() -> None:
    result = classify_joblog(
        joblog(
            "java.sql.SQLException: Io exception",
            "Caused by: java.net.ConnectException: Connection refused",
            "\tat java.net.PlainSocketImpl.socketConnect(Native Method)",
            "\tat com.acme.Loader.open(Loader.java:51)",
        )
    )
    assert result.failure_class == "connection_failure"
    assert result.decisive_lines == [5, 6, 7, 8]
    assert [(e.line, e.source) for e in result.evidence] == [
        (6, "exception ConnectException"),
        (10, None),
    ]
    assert result.candidates == {"connection_failure": 3.96, "database_error": 1.5}
    assert result.explanation.endswith("also reported: database_error.")


def test_psql_detail_lines_join_the_error() -> None:
    result = classify_joblog(
        joblog(
            'ERROR:  duplicate key value violates unique constraint "sales_pkey"',
            "DETAIL:  Key (id)=(42) already exists.",
            "ERROR: step LOAD failed",
        )
    )
    assert result.failure_class == "database_error"
    assert result.decisive_lines == [5, 6]


@pytest.mark.parametrize(
    "body",
    [
        ("/opt/batch/x.sh: line 12: 8812 Killed    sort -S 90% big.dat",),
        ("Segmentation fault (core dumped)",),
        ("Nothing to do", "Done"),
    ],
)
def test_no_confident_guess(body: tuple[str, ...]) -> None:
    result = classify_joblog(joblog(*body))
    assert (result.failure_class, result.confidence) == ("unknown", 0.0)


def test_without_an_exit_line_the_last_error_of_the_log_decides() -> None:
    result = classify_joblog("Step 1\nERROR: ORA-00942: table or view does not exist\n")
    assert result.failure_class == "not_found"
    assert [e.line for e in result.evidence] == [2]
