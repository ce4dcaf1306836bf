"""Product error codes (MySQL, Teradata, IBM MQ, Spectrum Protect, SQL Server user-defined
messages) map where their catalogue says, and the message families and tail rules that blind set
C's eval misses showed missing, each on examples of its own."""

import pytest

from resync.joblog.catalogues import products
from resync.joblog.classification import classify_joblog
from resync.joblog.evidence import line_findings

FRAME = "=" * 63
HEAD = f"{FRAME}\n= JOB       : WS-PROD-03#NIGHTLY.LOAD_LEDGER\n= USER      : batch\n{FRAME}\n"
TAIL = f"{FRAME}\n= Exit Status           : 2\n{FRAME}\n"


def found(line: str) -> set[tuple[str, str]]:
    return {(f.entry.failure_class, f.entry.source) for f in line_findings(line)}


def joblog(*body: str) -> str:
    return HEAD + "\n".join(body) + "\n" + TAIL


def test_mysql_server_and_client_errors() -> None:
    for code, cls in products.MYSQL_CODES.items():
        assert (cls, f"MySQL error {code}") in found(f"ERROR {code} (HY000) at line 3: text")
        assert (cls, f"MySQL error {code}") in found(f"mysqldump: Got error: {code}: text")
    assert ("database_error", "MySQL error 1366") in found("ERROR 1366 (22007): Incorrect value")
    assert found("ERROR 404: page") == {("not_found", "HTTP 404 Not Found")}


def test_teradata_error_codes_in_bteq_tpt_and_jdbc_forms() -> None:
    for code, cls in products.TERADATA_CODES.items():
        assert (cls, f"Teradata error {code}") in found(f" *** Failure {code} Message text.")
        assert (cls, f"Teradata error {code}") in found(f"RDBMS error {code}: text")
        assert (cls, f"Teradata error {code}") in found(f"[Error {code}] [SQLState 42000] x")
    assert ("database_error", "Teradata error 5315") in found(" *** Failure 5315 The user…")


def test_mq_reason_codes_and_channel_messages() -> None:
    for code, (name, cls) in products.MQ_REASONS.items():
        assert (cls, f"IBM MQ reason {code}") in found(f"MQOPEN ended with reason code {code}")
        assert (cls, f"IBM MQ reason {code}") in found(f"CompCode: 2, Reason: {code}")
        assert (cls, f"IBM MQ reason {code}") in found(f"MQJE001: MQRC {code}")
        assert (cls, f"IBM MQ reason {code}") in found(f"MQPUT failed: {name}")
    for code, cls in products.MQ_MESSAGES.items():
        assert (cls, f"IBM MQ AMQ{code}") in found(f"AMQ{code}E: The channel stopped.")
    assert found("reason code 2538 from the billing rules engine") == set()


def test_spectrum_protect_client_messages() -> None:
    for code, cls in products.TSM_MESSAGES.items():
        assert (cls, f"Spectrum Protect ANS{code}") in found(f"ANS{code}E Session text")
    assert found("ANS1228E Sending of object '/x' failed.") == set()


def test_sql_server_user_defined_messages_are_the_application_s_own() -> None:
    result = classify_joblog(
        joblog(
            "Msg 50001, Level 16, State 1, Procedure etl.usp_CheckTotals, Line 40",
            "Batch totals differ from the control record by 12 rows",
        )
    )
    assert result.failure_class == "unknown"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Can't locate Text/CSV_XS.pm in @INC (you may need to install it)", "not_found"),
        ("<internal:rubygems>: cannot load such file -- nokogiri (LoadError)", "not_found"),
        ("Error: Cannot find module 'axios'", "not_found"),
        (
            "ERROR: Failed to authenticate user svc_etl: the user name or password is not valid",
            "credentials_expired",
        ),
        ("Backup failed: the repository is out of storage space", "disk_full"),
        (
            "feed.sh: upstream table sales.orders for 2026-11-30 not yet published",
            "dependency_not_satisfied",
        ),
        (
            "snapshot 20261130 not yet published by the MDM export; stopping",
            "dependency_not_satisfied",
        ),
        ("gzip: /in/ledger.csv.gz: not in gzip format", "unknown"),
        ("ERROR: archive is corrupt, 3 members unreadable", "unknown"),
        (" *** Failure 2801 Duplicate unique prime key error in DW.LEDGER.", "database_error"),
    ],
)
def test_message_family_proves_its_class(line: str, expected: str) -> None:
    assert classify_joblog(joblog(line)).failure_class == expected


def test_a_hyphenated_word_is_not_a_missing_file() -> None:
    line = "  End-of-central-directory signature not found.  The archive is truncated."
    assert "not_found" not in {cls for cls, _ in found(line)}


def test_waiting_for_a_submitted_workflow_is_progress_not_a_dependency() -> None:
    result = classify_joblog(
        joblog(
            "Starting workflow [wf_ledger]",
            "Waiting for workflow [wf_ledger] to complete",
            "ERROR: Workflow [wf_ledger]: Execution failed.",
        )
    )
    assert result.failure_class == "unknown"


def test_a_core_dump_after_a_named_cause_is_how_it_ended_not_why() -> None:
    body = ("java: Out of memory while expanding the heap", "Aborted (core dumped)")
    assert classify_joblog(joblog(*body)).failure_class == "out_of_memory"
    assert classify_joblog(joblog("Segmentation fault (core dumped)")).failure_class == "unknown"


def test_an_error_before_a_later_attempt_is_hidden_by_the_later_cause() -> None:
    result = classify_joblog(
        joblog(
            "load: attempt 1 of 3 on db01",
            "psql: error: connection to server failed: Connection refused",
            "load: attempt 2 of 3 on db01",
            "psql:/sql/load.sql:9: ERROR:  out of memory",
        )
    )
    assert result.failure_class == "out_of_memory"


def test_a_new_connection_recovers_only_from_a_failed_connection() -> None:
    step = ("Connected to Integration Service: [IS_DEV].", "Workflow [wf_x] aborted.")
    timed_out = classify_joblog(joblog("ERROR: Read timed out after 900 seconds.", *step))
    assert timed_out.failure_class == "timeout"
    reconnected = classify_joblog(joblog("ERROR: Connection refused by db01", *step))
    assert reconnected.failure_class == "unknown"


def test_a_stronger_phrase_of_the_same_class_is_kept_inside_a_longer_one() -> None:
    line = "Predecessor LOAD_GL for 2026-11-30 not complete - flag gl.done missing"
    assert max(f.entry.strength for f in line_findings(line)) == 3.0


def test_a_backup_file_error_carries_the_os_error_below_it() -> None:
    assert ("database_error", "Oracle ORA-19502 (ORA-19500–19599)") in found(
        'ORA-19502: write error on file "/backup/db1/inc_0042", block number 81'
    )
    write_error = 'ORA-19502: write error on file "/backup/db1/inc_0042", block number 81'
    full = classify_joblog(joblog(write_error, "Linux-x86_64 Error: 28: No space left on device"))
    assert full.failure_class == "disk_full"
    assert classify_joblog(joblog(write_error, "ORA-27072: File I/O error")).failure_class == (
        "unknown"
    )


def test_the_last_of_numbered_attempts_keeps_its_weight() -> None:
    result = classify_joblog(
        joblog(
            "sync: attempt 1/3 failed: could not connect to files01",
            "sync: attempt 2/3 failed: could not connect to files01",
            "sync: attempt 3/3 failed: could not connect to files01",
        )
    )
    assert result.failure_class == "connection_failure"


def test_failing_to_authenticate_a_server_is_not_a_credential() -> None:
    line = "curl: SSL: failed to authenticate the server certificate of api01"
    assert "credentials_expired" not in {cls for cls, _ in found(line)}


def test_a_wait_loop_that_gave_up_is_a_dependency_even_on_a_missing_path() -> None:
    line = "check.sh: /landing/gl/2026-11-30/_READY does not exist after 18 checks; giving up"
    assert classify_joblog(joblog(line)).failure_class == "dependency_not_satisfied"


def test_node_s_name_resolution_failure() -> None:
    line = "Error: getaddrinfo ENOTFOUND sftp.partner.example"
    assert classify_joblog(joblog(line)).failure_class == "connection_failure"


@pytest.mark.parametrize(
    ("raised", "expected"),
    [
        ("ORA-20001: Batch totals differ from the control record", "unknown"),
        ("ERROR 1644 (45000) at line 7: Batch totals differ from the control record", "unknown"),
        ("ERROR:  batch totals differ (SQLSTATE P0001)", "unknown"),
        (
            "ORA-20002: input file gl_20261130.dat not received from upstream",
            "dependency_not_satisfied",
        ),
    ],
)
def test_an_error_the_application_raises_through_the_database_is_read_by_its_words(
    raised: str, expected: str
) -> None:
    assert classify_joblog(joblog(raised)).failure_class == expected


def test_portuguese_not_yet_published() -> None:
    line = "ERRO: tabela de origem stg.vendas ainda não foi publicada pela carga anterior"
    assert classify_joblog(joblog(line)).failure_class == "dependency_not_satisfied"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "org.apache.hadoop.hdfs.protocol.DSQuotaExceededException: The DiskSpace quota of"
            " /warehouse is exceeded",
            "disk_full",
        ),
        ("ERROR: the storage quota of project fin is exceeded", "disk_full"),
        (
            "*** CLI error: MTDP: EM_NOHOST(224): name not in HOSTS file or names database.",
            "connection_failure",
        ),
        (" *** Failure 3110 The transaction was aborted by the user.", "unknown"),
    ],
)
def test_quota_and_teradata_session_forms(line: str, expected: str) -> None:
    assert classify_joblog(joblog(line)).failure_class == expected


def test_a_success_after_a_retry_announcement_recovers_the_error_before_it() -> None:
    result = classify_joblog(
        joblog(
            "System error 53 has occurred.",
            "net use: retry 2 of 3",
            "The command completed successfully.",
            "ERROR: step 3 failed with exit code 9",
        )
    )
    assert result.failure_class == "unknown"


def test_portuguese_file_that_never_arrived() -> None:
    line = "Aguardou 90 minutos pelo arquivo /in/remessa_20261130.txt que não chegou"
    assert classify_joblog(joblog(line)).failure_class == "dependency_not_satisfied"


@pytest.mark.parametrize(
    "line",
    [
        "filewait: timed out after 5400s waiting for /landing/gl/ready.flg",
        "watch.cmd: gave up after 90 min waiting for \\\\fs01\\drop\\gl_20261130.done",
    ],
)
def test_a_watcher_that_timed_out_waiting_for_a_path_is_a_dependency(line: str) -> None:
    assert classify_joblog(joblog(line)).failure_class == "dependency_not_satisfied"
