"""Message families the evaluation sets E and public C showed missing, each on examples of its
own: marker files a watcher waited for, a sending system that did not send, what another load
has not done yet, a prerequisite's status still running, dbt's stale sources, storage exhausted
as runtimes and databases word it, interpreters' run-time limits, ODBC's texts."""

import pytest

from resync.joblog.catalogues import products
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-02#NIGHTLY.EXPORT_GL\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 2\n{FRAME}\n"


DEP = "dependency_not_satisfied"
CRED = "credentials_expired"


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("ERROR: /in/gl/LEDGER_20261130.trg not found after 40 checks", DEP),
        ("watch.cmd: cannot find E:\\feeds\\POS_0412.flg", DEP),
        ("ERRO: /dados/ind/estoque_20261130.ind não foi criado", DEP),
        ("espera.sh: /ctl/FIM_DIA.done ausente", DEP),
        ("wait_in.sh: time limit reached, files CUST,ORDERS missing", DEP),
        ("espera.sh: tempo limite atingido: arquivos CLI,PED não encontrados", DEP),
        ("ERROR: the clearing bank did not send the return file", DEP),
        ("ERRO: fornecedor não entregou o catálogo do dia", DEP),
        ("ERRO: o DW ainda não carregou o movimento de 30/11", DEP),
        ("FATAL: STAGE.ORDERS has not yet received the 2026-11-30 batch", DEP),
        ("ERRO: extração CONTABIL não concluída (status: PENDENTE)", DEP),
        ("ERROR: load SALES not completed, status = RUNNING", DEP),
        ("04:10:02 | 3 of 3 ERROR STALE freshness of erp.orders", DEP),
        ("RUN-TIME ERROR: 007 Disk space exhausted", "disk_full"),
        ("ERRO: espaço em disco esgotado em /dados", "disk_full"),
        ("Error writing file '/tmp/MY4f' (Errcode: 28 - No space left)", "disk_full"),
        ("Es steht nicht genug Speicherplatz auf dem Datenträger zur Verfügung.", "disk_full"),
        ("System.IO.IOException: No hay espacio suficiente en el disco.", "disk_full"),
        ("System.IO.IOException: 磁盘空间不足。", "disk_full"),
        ("Unhandled: System.IO.IOException: 系统找不到指定的文件。", "not_found"),
        ("PHP Fatal error:  Maximum execution time of 120 seconds exceeded in x.php", "timeout"),
        ("ERROR: maximum CPU time of 600 s exceeded", "timeout"),
        ("[ODBC Driver 18 for SQL Server]String data, right truncation", "database_error"),
        ("GLX0200 OPEN ERROR ON CUSTOMER-MASTER - FILE STATUS 35", "not_found"),
        ("ERROR: pmcmd: Could not find workflow [wf_load_gl].", "not_found"),
        ("Variant ZMONTHLY does not exist", "not_found"),
        ("PLS-00201: identifier 'GL.PKG_CLOSE' must be declared", "not_found"),
        ("PLS-00904: insufficient privilege to access object GL.LEDGER", "permission_denied"),
        ("Description: A buffer failed while allocating 2097152 bytes.", "out_of_memory"),
        ("Error: Timed out while waiting for handshake", "connection_failure"),
        ("Sqlcmd: 'E:\\sql\\close_month.sql': Invalid filename.", "not_found"),
        ('{"error":"invalid_grant","error_codes":[50173]} AADSTS50173: grant expired', CRED),
        (
            "Error: Unable to complete login process due to delay in opening server connection",
            "connection_failure",
        ),
    ],
)  # fmt: skip
def test_message_family_proves_its_class(line: str, expected: str) -> None:
    result = classify_joblog(joblog("Starting", line))
    assert (result.failure_class, result.method) == (expected, "catalogue")
    assert result.evidence[0].text == line
    assert result.evidence[0].source


@pytest.mark.parametrize(
    "line",
    [
        "load.sh: wrote /out/LEDGER_20261130.done",
        "dbt: 3 of 3 PASS freshness of erp.orders",
        "partner confirmed: all files sent",
        "status: RUNNING",
    ],
)
def test_the_families_need_their_failure_words(line: str) -> None:
    assert not any(f.entry.failure_class == "dependency_not_satisfied" for f in line_findings(line))


def test_a_marker_file_found_absent_overrules_the_absent_file() -> None:
    result = classify_joblog(
        joblog("ls: cannot access '/in/POS_0412.trg': No such file or directory")
    )
    assert result.failure_class == "dependency_not_satisfied"


def test_cobol_file_statuses_and_entra_codes_map_to_their_classes() -> None:
    for number, cls in products.COBOL_FILE_STATUS.items():
        assert [
            (f.entry.failure_class, f.entry.source)
            for f in line_findings(f"PGM01 OPEN FAILED - FILE STATUS {number}")
        ] == [(cls, f"COBOL file status {number}")]
    for number, cls in products.ENTRA_CODES.items():
        assert (cls, f"Microsoft Entra AADSTS{number}") in {
            (f.entry.failure_class, f.entry.source) for f in line_findings(f"AADSTS{number}: x")
        }
    assert not line_findings("PGM01 CLOSE - FILE STATUS 00")


def test_a_powershell_clean_up_weighs_as_one_with_its_error_record() -> None:
    result = classify_joblog(
        joblog(
            "Remove-Item : Cannot find path 'C:\\run\\close.pid' because it does not exist.",
            "At C:\\jobs\\Close.ps1:3 char:1",
            "+ Remove-Item 'C:\\run\\close.pid'",
            "+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~",
            "    + CategoryInfo          : ObjectNotFound: (C:\\run\\close.pid:String) "
            "[Remove-Item], ItemNotFoundException",
            "    + FullyQualifiedErrorId : PathNotFound,"
            "Microsoft.PowerShell.Commands.RemoveItemCommand",
            "Close.ps1 : ledger totals differ by 12.40. Close aborted.",
        )
    )
    assert result.failure_class == "unknown"


def test_a_batch_file_cmd_cannot_parse_is_outside_the_classes() -> None:
    result = classify_joblog(
        joblog(
            "'ocal' is not recognized as an internal or external command,",
            "operable program or batch file.",
            "else was unexpected at this time.",
        )
    )
    assert (result.failure_class, result.method) == ("unknown", "catalogue")
