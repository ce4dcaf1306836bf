"""Message forms the blind set showed missing (Windows, PowerShell, Java, pt-BR, runtime limits
said in words, inputs an upstream job has not delivered), each on examples of its own, and the
decisive line when the last error only says the job failed."""

import pytest

from resync.joblog.classification import classify_joblog

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-02#NIGHTLY.EXPORT_GL\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 2\n{FRAME}\n"


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Set-Content : Access to the path 'C:\\state\\run.txt' is denied.", "permission_denied"),
        ("java.nio.file.AccessDeniedException: /srv/share/gl_export.csv", "permission_denied"),
        ("curl: (22) The requested URL returned error: 403", "permission_denied"),
        ("'sqlcmd' is not recognized as an internal or external command,", "not_found"),
        ("The system cannot find the file specified.", "not_found"),
        ("'robocopy' não é reconhecido como um comando interno", "not_found"),
        ("O sistema não pode encontrar o arquivo especificado.", "not_found"),
        ("HTTP/1.1 404 Not Found", "not_found"),
        ('SP2-0310: unable to open file "close_month.sql"', "not_found"),
        ("Unhandled Exception: System.OutOfMemoryException: Insufficient memory", "out_of_memory"),
        ("Error: Could not reserve enough space for 8388608KB object heap", "out_of_memory"),
        ("00 671 ABAP/4 processor: SYSTEM_NO_ROLL", "out_of_memory"),
        ("/opt/b/run.sh: fork: Não foi possível alocar memória", "out_of_memory"),
        ("uniq: memória esgotada", "out_of_memory"),
        ("ERROR: export exceeded the 3600 s limit and was stopped", "timeout"),
        ("Extraction did not complete within the configured 2 h maximum", "timeout"),
        ("timeout: sending signal KILL to command 'rsync'", "timeout"),
        ("ERRO: tempo limite de processamento (90 min) excedido", "timeout"),
        ("ERRO: tempo limite de conexão esgotado com db01", "connection_failure"),
        ('psql: error: connection to server at "db1" failed: timeout', "connection_failure"),
        ("ssh: connect to host 10.9.8.7 port 22: Sem rota para o host", "connection_failure"),
        ('SQL1336N  The remote host "db2prd" was not found.  SQLSTATE=08001', "connection_failure"),
        ("rsync: connection unexpectedly closed (0 bytes received so far)", "connection_failure"),
        ("comment: AcceptSecurityContext error, data 773, v3839", "credentials_expired"),
        ('psql:/sql/x.sql:2: ERRO:  coluna "valor_liq" não existe', "database_error"),
        ("Msg 2627, Level 14, State 1, Server SQLFIN01, Line 3", "database_error"),
        ("FATAL: prerequisite DWH.EXTRACT has not completed", "dependency_not_satisfied"),
        ("ERROR: flag file /in/READY has not arrived after 30 min", "dependency_not_satisfied"),
        ("ERROR: upstream feed for 2026-12-01 not yet delivered", "dependency_not_satisfied"),
        ("ERROR: dt=2026-12-01 not yet written by the upstream job", "dependency_not_satisfied"),
    ],
)  # fmt: skip
def test_message_form_proves_its_class(line: str, expected: str) -> None:
    result = classify_joblog(joblog("Starting", line))
    assert (result.failure_class, result.method) == (expected, "catalogue")
    assert [e.text for e in result.evidence] == [line, "= Exit Status           : 2"]
    assert result.evidence[0].source


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("curl: (28) Connection timed out after 30 s; retry limit reached", "connection_failure"),
        ("ERROR: upstream API call failed: HTTP 500", "unknown"),
        ("ERROR: connection to server db01 ok; rows rejected, load failed", "unknown"),
        ("ERROR: ledger check failed within the 5 minute window", "unknown"),
    ],
)
def test_near_misses_keep_their_own_class(line: str, expected: str) -> None:
    assert classify_joblog(joblog("Starting", line)).failure_class == expected


def test_a_last_line_that_only_says_it_failed_takes_the_cause_above_it() -> None:
    result = classify_joblog(
        joblog(
            "cp: não foi possível criar arquivo comum '/saida/r.txt': Permissão negada",
            "limpando temporários",
            "fim da execução com erro",
        )
    )
    assert result.failure_class == "permission_denied"
    assert [e.line for e in result.evidence] == [5, 9]
    assert result.decisive_lines == [5]


@pytest.mark.parametrize(
    "body",
    [
        ("loading", "ERROR: processing aborted"),
        (
            "ERROR: could not connect to mq01: Connection refused, retrying in 5 s",
            "connected to mq01",
            "ERROR: job failed",
        ),
        ("The process cannot access the file because it is being used by another process.",),
        ("config: timeout=60 limit=3600 s", "ERROR: 14 rows rejected by the ledger check"),
    ],
)
def test_a_failure_that_says_no_cause_stays_unknown(body: tuple[str, ...]) -> None:
    result = classify_joblog(joblog(*body))
    assert (result.failure_class, result.confidence) == ("unknown", 0.0)


def test_the_status_message_of_the_footer_does_not_hide_the_error_above_the_frame() -> None:
    log = "\n".join(
        [
            HEAD + "AWKRCE012E Unable to run the command. The error message is: Permission denied",
            FRAME,
            "= Status Message: AWKRCE012E Unable to run the command",
            "= Exit Status           : -1",
            FRAME,
        ]
    )
    result = classify_joblog(log)
    assert result.failure_class == "permission_denied"
    assert result.decisive_lines == [5]
