"""How a job gets past an error: a Windows command's success message in every catalogued locale
after its retry, and a retry announced for an error the job then went past, each on examples of
its own."""

import pytest

from resync.joblog.catalogues import platforms
from resync.joblog.classification import classify_joblog

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.SEND_FILES\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 4\n{FRAME}\n"


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


@pytest.mark.parametrize("locale", sorted(platforms.COMMAND_COMPLETED))
def test_a_windows_command_that_completed_after_its_retry_got_past_the_error(locale: str) -> None:
    result = classify_joblog(
        joblog(
            "D:\\Jobs>net use V: \\\\SRVFILES\\Control /persistent:no",
            "System error 53 has occurred.",
            "The network path was not found.",
            "D:\\Jobs>net use V: \\\\SRVFILES\\Control /persistent:no",
            f"{platforms.COMMAND_COMPLETED[locale]}.",
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
