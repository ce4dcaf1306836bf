"""Secrets out of joblogs: every credential form masked, the failure text kept, the size cap."""

import pytest

from resync.joblog.redaction import MASK, redact_joblog, redact_secrets
from resync.jobs.schemas import TRUNCATION_MARK


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("mysql -u root -pS3cr3t sales", f"mysql -u root -p{MASK} sales"),
        ("pg_dump --password hunter2 -h db01", f"pg_dump --password {MASK} -h db01"),
        ("loader -u carga -p Segredo123 --lote 42", f"loader -u carga -p {MASK} --lote 42"),
        ("export DB_PASSWORD=abc123", f"export DB_PASSWORD={MASK}"),
        ('{"api_key": "k-123", "user": "x"}', f'{{"api_key": "{MASK}", "user": "x"}}'),
        ("senha: minhasenha", f"senha: {MASK}"),
        ("client_secret=xyz&grant=1", f"client_secret={MASK}&grant=1"),
        ('curl -H "Authorization: Basic dXNlcjpwYXNz" x', f'curl -H "Authorization: {MASK}" x'),
        ("Authorization: Bearer abc.def.ghi", f"Authorization: {MASK}"),
        ("token sent as Bearer eyJhbGciOiJIUzI1NiJ9xx", f"token sent as Bearer {MASK}"),
        ("jdbc:oracle:thin:scott/tiger@db:1521/PRD", f"jdbc:oracle:thin:scott/{MASK}@db:1521/PRD"),
        ("jdbc:postgresql://etl:pw1@db01/hr", f"jdbc:postgresql://etl:{MASK}@db01/hr"),
        (
            "jdbc:sqlserver://h;user=sa;password=Pa55;db=x",
            f"jdbc:sqlserver://h;user=sa;password={MASK};db=x",
        ),
        ("sqlplus -s scott/tiger@PROD @load.sql", f"sqlplus -s scott/{MASK}@PROD @load.sql"),
        ("key rsk_" + "a" * 40 + " used", f"key {MASK} used"),
        ("AWS AKIAABCDEFGHIJKLMNOP", f"AWS {MASK}"),
    ],
)
def test_credentials_are_masked(line: str, expected: str) -> None:
    assert redact_secrets(line) == expected


def test_private_keys_are_masked_whole() -> None:
    text = (
        "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\nAAAA\n-----END RSA PRIVATE KEY-----\n"
        "after"
    )
    assert redact_secrets(text) == f"before\n{MASK}\nafter"


@pytest.mark.parametrize(
    "line",
    [
        "ORA-28001: the password has expired",
        "ORA-01017: invalid username/password; logon denied",
        "ls -p /tmp/out",
        "ssh-keygen done",
        "ERROR: token de acesso expirado em 2026-11-27",
        "gzip: /data/out/x.gz: No space left on device",
    ],
)
def test_failure_text_without_a_secret_is_kept(line: str) -> None:
    assert redact_secrets(line) == line


def test_joblog_is_redacted_then_capped_keeping_its_end() -> None:
    joblog = "password=abc\n" + "x" * 5000 + "\nORA-28001: the password has expired\n"
    capped = redact_joblog(joblog, 1024)
    assert len(capped.encode()) <= 1024
    assert capped.startswith(TRUNCATION_MARK)
    assert capped.endswith("ORA-28001: the password has expired\n")
    assert redact_joblog("password=abc\n", 1024) == f"password={MASK}\n"
    assert redact_joblog(None, 1024) == ""
