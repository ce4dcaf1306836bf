"""The credential forms issue 15 found leaked, in full or in part, and the cap cutting a secret."""

import pytest

from resync.joblog.redaction import MASK, redact_joblog, redact_secrets
from resync.joblog.secret_catalogue import RULES, load_catalogue
from resync.jobs.schemas import TRUNCATION_MARK

PGP_KEY = (
    "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
    "lQOYBGVxK2MBCADH4x5kL9q2b3vN8mZr7yT1uQeW0pAsDfGhJkLzXcVbNmQwErTy\n=Xy7Q\n"
    "-----END PGP PRIVATE KEY BLOCK-----"
)
PUTTY_HEAD = (
    "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: batch\nPublic-Lines: 1\n"
    "AAAAC3NzaC1lZDI1NTE5AAAAIHx7kLm9pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI0jK\nPrivate-Lines: 2\n"
)
PUTTY_PRIVATE = (
    "AAAAIGx7kLm9pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI0jK2lM4nO6pQ8rS0tU2v\nAAAAIQDx7kLm9pQ2rS4tU6vW"
)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("<password>Wint3r!Batch</password>", f"<password>{MASK}</password>"),
        ("PASSWORD Tw5_Night_01", f"PASSWORD {MASK}"),
        ("curl -u admin:Adm1n$ecret https://sap-prd/api", f"curl -u {MASK} https://sap-prd/api"),
        (
            "wget --user admin:R8tes#Feed https://x/d.xml",
            f"wget --user admin:{MASK} https://x/d.xml",
        ),
        ("ALTER USER etl IDENTIFIED BY NewPass2026;", f"ALTER USER etl IDENTIFIED BY {MASK};"),
        ("SQL> connect scott/T1ger#Prd@orcl", f"SQL> connect scott/{MASK}@orcl"),
        ('sqlplus "scott/Sc0tt_pw@orcl" @x.sql', f'sqlplus "scott/{MASK}@orcl" @x.sql'),
        ("get ftp://edi:pa/ss@ftp.example/o.xml", f"get ftp://edi:{MASK}@ftp.example/o.xml"),
        (
            "> Cookie: JSESSIONID=8F3A1C9D2B7E4F60A1B2C3D4E5F60718; lang=pt-BR",
            f"> Cookie: JSESSIONID={MASK}; lang=pt-BR",
        ),
        (
            r"net use Z: \\fs01\batch$ /user:CORP\svc_tws Fs01!Batch /persistent:no",
            rf"net use Z: \\fs01\batch$ /user:CORP\svc_tws {MASK} /persistent:no",
        ),
        (f"key:\n{PGP_KEY}\nimported", f"key:\n{MASK}\nimported"),
        (
            f"{PUTTY_HEAD}{PUTTY_PRIVATE}\nPrivate-MAC: 4b2e8f1a3c5d7e9f0a2b\n",
            f"{PUTTY_HEAD}{MASK}\nPrivate-MAC: {MASK}\n",
        ),
        (
            "push as github_pat_11AQWERTY0zXcVbNmLkJhGfD_sa8d7f6g5h4j3k2l1qWeRtYuIoPaSdFgHj"
            "KlZxCvBnM1234567890ab failed",
            f"push as {MASK} failed",
        ),
        (
            "post https://hooks.slack.com/services/T024BE7LD/B05QWERTY1/kD8fJ2mN4pQ6rS8tU0vW2x ok",
            f"post {MASK} ok",
        ),
        (
            "geocode?key=AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY&address=Sao+Paulo",
            f"geocode?key={MASK}&address=Sao+Paulo",
        ),
        ("Stripe key sk_live_4eC39HqLyjWDarjtT1zdp7dc used", f"Stripe key {MASK} used"),
        ("aws key ASIAY34FZKBOKMUTVV7A expired", f"aws key {MASK} expired"),
    ],
)
def test_the_forms_issue_15_found_leaked_are_masked(line: str, expected: str) -> None:
    assert redact_secrets(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("export DB_PASSWORD='ab;cd#2026' && ./x", f"export DB_PASSWORD='{MASK}' && ./x"),
        ('password="Fin,Close;2026" user=etl', f'password="{MASK}" user=etl'),
        ('DB_PASS="Pa55 word with spaces"', f'DB_PASS="{MASK}"'),
        ("https://etl:p@ssw0rd@api.internal/v1", f"https://etl:{MASK}@api.internal/v1"),
        ("sftp://b:B@tch#77@sftp.example:22/in", f"sftp://b:{MASK}@sftp.example:22/in"),
        (
            "jdbc:sqlserver://s;user=sa;password={B;c,d};x=1",
            f"jdbc:sqlserver://s;user=sa;password={{{MASK}}};x=1",
        ),
        (
            "mount -o username=tws,password=C1fs,Mnt,domain=CORP",
            f"mount -o username=tws,password={MASK},domain=CORP",
        ),
    ],
)
def test_values_with_separators_quotes_and_at_signs_are_masked_whole(
    line: str, expected: str
) -> None:
    assert redact_secrets(line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("conman -password TwsSecret1", f"conman -password {MASK}"),
        (
            'conman -username twsuser -password TwsSecret1 "sj @#@;showid"',
            f'conman -username twsuser -password {MASK} "sj @#@;showid"',
        ),
        (
            'composer -user twsadm -password "Night Ops 3" "display sched=@#@"',
            f'composer -user twsadm -password "{MASK}" "display sched=@#@"',
        ),
        (
            '+ conman -username twsadm -password $TWS_PASSWORD "sj @#@"',
            '+ conman -username twsadm -password $TWS_PASSWORD "sj @#@"',
        ),
        (
            "pmcmd getworkflowdetails -u etl -pv PMPASS -f FIN wf_x",
            "pmcmd getworkflowdetails -u etl -pv PMPASS -f FIN wf_x",
        ),
    ],
)
def test_conman_password_option_masks_its_argument_only(line: str, expected: str) -> None:
    assert redact_secrets(line) == expected


def test_a_cut_through_a_secret_leaves_no_piece_of_it() -> None:
    key_line = "MIIEowIBAAKCAQEAx7kLm9pQ2rS4tU6vW8xY0zA2bC4dE6fG8hI0jK2lM\n"
    joblog = (
        f"sqlplus -s etl/Verylongpassword{'9' * 3000}@PRD\n"
        f"-----BEGIN RSA PRIVATE KEY-----\n{key_line * 40}-----END RSA PRIVATE KEY-----\n"
        "load done\n"
    )
    capped = redact_joblog(joblog, 1024)
    assert capped.startswith(TRUNCATION_MARK)
    assert capped.endswith("-----END RSA PRIVATE KEY-----\nload done\n")
    assert "MIIEow" not in capped and "999" not in capped
    assert len(capped.encode()) <= 1024


def test_redaction_reads_no_more_than_the_cap() -> None:
    secret_head = "password=" + "x" * 10_000 + "\n"
    assert redact_joblog(secret_head + "ok\n", 1024) == TRUNCATION_MARK + "ok\n"


def test_the_catalogue_holds_gitleaks_rules_and_resyncs_own() -> None:
    ids = {rule.id for rule in RULES}
    assert {
        "github-fine-grained-pat",
        "slack-webhook-url",
        "gcp-api-key",
        "stripe-access-token",
    } <= ids
    assert {"assignment", "option-password", "net-use-password", "oracle-logon-argument"} <= ids
    assert len(load_catalogue()[0]) == len(RULES) > 200
