"""How a job gets past an error: a Windows command's success message in every catalogued locale
after its retry, and a retry announced for an error the job then went past, each on examples of
its own."""

import pytest

from resync.joblog.catalogues import windows
from resync.joblog.classification import classify_joblog

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.SEND_FILES\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 4\n{FRAME}\n"


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


@pytest.mark.parametrize("locale", sorted(windows.COMMAND_COMPLETED))
def test_a_windows_command_that_completed_after_its_retry_got_past_the_error(locale: str) -> None:
    result = classify_joblog(
        joblog(
            "D:\\Jobs>net use V: \\\\SRVFILES\\Control /persistent:no",
            "System error 53 has occurred.",
            "The network path was not found.",
            "D:\\Jobs>net use V: \\\\SRVFILES\\Control /persistent:no",
            f"{windows.COMMAND_COMPLETED[locale]}.",
            "D:\\Jobs>copy V:\\SALES_CLOSE.ok D:\\in\\",
            "The process cannot access the file because it is being used by another process.",
        )
    )
    assert result.failure_class == "unknown"
    assert result.method == "catalogue"


def test_the_success_message_is_read_without_its_accents() -> None:
    result = classify_joblog(
        joblog(
            "Erro de sistema 53.",
            "O caminho da rede nao foi encontrado.",
            "Comando concluido com exito.",
            "O processo nao pode acessar o arquivo porque ele esta sendo usado por outro processo.",
        )
    )
    assert result.failure_class == "unknown"
    assert result.method == "catalogue"


def test_an_error_retried_and_then_gone_past_is_recovered() -> None:
    result = classify_joblog(
        joblog(
            "sync: AVISO: tentativa 1 falhou: [Errno 111] Conexão recusada - nova tentativa em 20s",
            "sync: 1.882 registros recebidos",
            "sync: interrompido (sinal 15) após gravar 1.091 registros",
        )
    )
    assert result.failure_class == "unknown"


@pytest.mark.parametrize(
    "last",
    [
        "sync: giving up",
        "sync: attempt 3/3 failed: Connection refused",
        "sync: tentativa 3 de 3 falhou",
        "sync: last attempt failed",
        "sync: failed after 3 attempts",
        "sync: última tentativa falhou",
    ],
)
def test_a_retried_error_whose_retries_ran_out_counts(last: str) -> None:
    result = classify_joblog(
        joblog(
            "sync: attempt 1 failed: Connection refused - retrying in 20s",
            "sync: waiting 20s",
            last,
        )
    )
    assert result.failure_class == "connection_failure"


@pytest.mark.parametrize("after", [(), ("run.sh: sync rc=7",), ("run.sh: step SYNC failed",)])
def test_an_error_announced_for_a_retry_the_job_never_reached_counts(after: tuple[str]) -> None:
    result = classify_joblog(joblog("sync: Connection refused - retrying in 20s", *after))
    assert result.failure_class == "connection_failure"


def test_evidence_naming_two_causes_as_strongly_is_unknown() -> None:
    result = classify_joblog(
        joblog("copy failed: Access is denied. The system cannot find the path specified.")
    )
    assert result.failure_class == "unknown"
    assert "two causes" in result.explanation
    assert set(result.candidates) == {"permission_denied", "not_found"}


def test_a_login_refused_with_an_access_text_is_an_authentication_failure() -> None:
    result = classify_joblog(
        joblog("530 PASS command failed : EDC5111I Permission denied.", "Login failed.")
    )
    assert result.failure_class == "credentials_expired"
    assert "two causes" not in result.explanation


@pytest.mark.parametrize(
    "chain",
    [
        (
            "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: "
            "java.security.cert.CertificateExpiredException: certificate expired",
        ),
        (
            "javax.net.ssl.SSLHandshakeException: PKIX path validation failed",
            "Caused by: java.security.cert.CertificateExpiredException: NotAfter: Nov 26 2026",
        ),
    ],
)
def test_the_innermost_exception_of_a_chain_decides(chain: tuple[str, ...]) -> None:
    result = classify_joblog(joblog("ERROR calling https://sap-prd:8443/api", *chain))
    assert result.failure_class == "credentials_expired"
    # The wrapping SSLHandshakeException (3.0) counts nothing; a phrase of its text remains.
    assert result.candidates.get("unknown", 0) < 3.0


def test_a_later_error_naming_another_cause_leaves_the_class_unproven() -> None:
    result = classify_joblog(
        joblog(
            "cp: cannot open '/data/out/sales_20261205.csv': Permission denied",
            "load.sh: ERROR statement timed out, load stopped",
        )
    )
    assert result.failure_class == "unknown"
    assert "two causes: permission_denied" in result.explanation
    assert "and timeout" in result.explanation


@pytest.mark.parametrize(
    "consequence",
    [
        "rsync: connection unexpectedly closed (0 bytes received so far) [sender]",
        "load.sh: cannot connect to the file server, aborting",
    ],
)
def test_a_lost_connection_after_the_cause_is_its_consequence(consequence: str) -> None:
    result = classify_joblog(
        joblog(
            "rsync: write failed on '/backup/db.dump': No space left on device (28)", consequence
        )
    )
    assert result.failure_class == "disk_full"


def test_a_connection_that_does_not_exist_is_no_missing_object() -> None:
    result = classify_joblog(
        joblog(
            'SQL30082N  Security processing failed with reason "1" ("PASSWORD EXPIRED").',
            "SQLSTATE=08001",
            "SQL1024N  A database connection does not exist.  SQLSTATE=08003",
        )
    )
    assert result.failure_class == "credentials_expired"
    assert "not_found" not in result.candidates


def test_a_warning_after_the_cause_names_no_second_cause() -> None:
    result = classify_joblog(
        joblog(
            "ORA-01653: unable to extend table DW.SALES by 8192 in tablespace DW_DATA",
            "WARNING: statistics step timed out, skipped",
        )
    )
    assert result.failure_class == "disk_full"
