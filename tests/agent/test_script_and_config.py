"""The collector as a command: shellcheck, options, exit codes, configuration and its checks."""

import subprocess

import pytest

from tests.agent.conftest import AGENT, REPO, require_tool


def test_script_passes_shellcheck():
    shellcheck = require_tool("shellcheck")
    result = subprocess.run(
        [shellcheck, "--shell=sh", "--external-sources", str(AGENT)],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_library_part_passes_shellcheck_on_its_own():
    """Read alone, a part cannot see variables the others set; every other check must pass."""
    shellcheck = require_tool("shellcheck")
    parts = sorted((REPO / "agent" / "lib").glob("*.sh"))
    result = subprocess.run(
        [shellcheck, "--shell=sh", "--exclude=SC2034,SC2154", *map(str, parts)],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def test_version_and_help(agent):
    version = agent.run("--version")
    assert (version.returncode, version.stdout) == (0, "resync-agent 1.1.0\n")
    help_text = agent.run("--help")
    assert help_text.returncode == 0
    for option in ("--dry-run", "--config FILE", "--install-cron", "--version", "Exit codes"):
        assert option in help_text.stdout


def test_unknown_option_is_a_usage_error(agent):
    result = agent.run("--bogus")
    assert result.returncode == 64
    assert "unknown option '--bogus'" in result.stderr


def test_missing_master_host_is_a_configuration_error(agent):
    agent.env.pop("RESYNC_MASTER_HOST")
    result = agent.run("--dry-run")
    assert result.returncode == 78
    assert "RESYNC_MASTER_HOST is not set" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("RESYNC_PING_COUNT", "0", "RESYNC_PING_COUNT must be a whole number from 1 to 100"),
        ("RESYNC_MASTER_PORT", "http", "RESYNC_MASTER_PORT must be a whole number from 1 to 65535"),
        ("RESYNC_LATENCY_METHOD", "udp", "RESYNC_LATENCY_METHOD must be auto, icmp or tcp"),
        ("RESYNC_WORKSTATION", "9-STARTS-WITH-DIGIT", "is not a TWS workstation name"),
        ("RESYNC_MASTER_HOST", "-oProxyCommand", "is not a host name or IP address"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(agent, name, value, message):
    result = agent.run("--dry-run", **{name: value})
    assert result.returncode == 78
    assert message in result.stderr


def test_key_file_readable_by_others_is_refused(agent):
    key_file = agent.write_key(mode=0o644)
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9")
    assert result.returncode == 78
    assert f"run: chmod 600 {key_file}" in result.stderr


def test_missing_key_file_is_refused(agent):
    agent.env["RESYNC_API_KEY_FILE"] = str(agent.home / "nowhere.key")
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9")
    assert result.returncode == 78
    assert "not found; create it (mode 0600)" in result.stderr


def test_key_file_without_a_key_is_refused(agent):
    agent.write_key(key="password123")
    result = agent.run(RESYNC_API_URL="http://127.0.0.1:9")
    assert result.returncode == 78
    assert "does not hold an API key" in result.stderr


def test_dry_run_needs_no_key_and_writes_nothing(agent):
    agent.env["RESYNC_API_KEY_FILE"] = str(agent.home / "nowhere.key")
    payload = agent.dry_run()
    assert payload["workstation"]
    assert not agent.state_dir.exists()


def test_config_file_is_read_and_environment_wins(agent):
    config = agent.home / "agent.conf"
    config.write_text(
        "# comment lines and blank lines are ignored\n\n"
        'RESYNC_WORKSTATION="FROM-FILE"\n'
        "  RESYNC_PING_COUNT=2  \n"
        "RESYNC_MASTER_HOST='127.0.0.1'\n"
        "NOT_A_SETTING=1\n"
    )
    result = agent.run("--dry-run", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert '"workstation": "FROM-FILE"' in result.stdout
    assert "ignoring unknown setting 'NOT_A_SETTING'" in result.stderr
    overridden = agent.run("--dry-run", "--config", str(config), RESYNC_WORKSTATION="FROM-ENV")
    assert '"workstation": "FROM-ENV"' in overridden.stdout


def test_config_file_is_parsed_never_executed(agent):
    marker = agent.home / "injected"
    config = agent.home / "agent.conf"
    config.write_text(f"RESYNC_WORKSTATION=$(touch {marker})\n")
    result = agent.run("--dry-run", "--config", str(config))
    assert result.returncode == 78
    assert "is not a TWS workstation name" in result.stderr
    assert not marker.exists()


def test_home_config_is_the_fallback(agent):
    (agent.home / ".resync-agent.conf").write_text("RESYNC_WORKSTATION=HOME-CONF\n")
    assert agent.dry_run()["workstation"] == "HOME-CONF"


def test_missing_explicit_config_file_is_an_error(agent):
    result = agent.run("--dry-run", "--config", str(agent.home / "missing.conf"))
    assert result.returncode == 78
    assert "cannot read the configuration file" in result.stderr


def test_workstation_comes_from_localopts_thiscpu(agent):
    tws_home = agent.home / "TWS"
    tws_home.mkdir()
    (tws_home / "localopts").write_text(
        "# TWS local options\n"
        "thiscpu        = fta_prod01   # this workstation\n"
        "merge stdlists = yes\n"
    )
    assert agent.dry_run(TWS_HOME=str(tws_home))["workstation"] == "FTA_PROD01"


def test_a_host_name_starting_with_a_digit_takes_the_name_tws_gave_the_workstation(agent, stub_api):
    # TWS refuses such a name for a workstation (AWSDEM001E), so localopts holds another one.
    fakes = agent.home / "digit-host"
    fakes.mkdir()
    uname = fakes / "uname"
    uname.write_text(
        '#!/bin/sh\n[ "$1" = -n ] && { echo 01ftaprod.example.com; exit 0; }\n'
        'exec /bin/uname "$@"\n'
    )
    uname.chmod(0o755)
    agent.env["PATH"] = f"{fakes}:{agent.env['PATH']}"
    tws_home = agent.home / "TWS"
    tws_home.mkdir()
    (tws_home / "localopts").write_text("thiscpu = FTA01PROD\n")

    assert agent.dry_run(TWS_HOME=str(tws_home))["workstation"] == "FTA01PROD"
    # Without localopts no name is known yet, which is not fatal: samples are taken and kept,
    # and the log says which setting to give.
    agent.write_key()
    agent.env["RESYNC_API_URL"] = stub_api.url
    assert [agent.run().returncode for _ in range(2)] == [75, 75]
    assert stub_api.requests == []
    log = agent.log_text()
    assert "the host name '01FTAPROD' is not a TWS workstation name" in log
    assert "until RESYNC_WORKSTATION (or TWS_HOME, for localopts) is set" in log
    assert len(list((agent.spool_dir / "unnamed").glob("*.json"))) == 2
    # Once named, the kept samples go first, in order, under the name, then the new one.
    assert agent.run(RESYNC_WORKSTATION="FTA01PROD").returncode == 0
    [batch] = [request["body"] for request in stub_api.requests]
    assert [sample["workstation"] for sample in batch] == ["FTA01PROD"] * 3
    assert [sample["timestamp"] for sample in batch] == sorted(s["timestamp"] for s in batch)
    assert list((agent.spool_dir / "unnamed").glob("*.json")) == agent.spooled() == []
    assert "2 sample(s) kept without a workstation name go as FTA01PROD" in agent.log_text()


def test_workstation_defaults_to_short_host_name_upper_cased(agent):
    agent.use_fakes("darwin")
    assert agent.dry_run()["workstation"] == "MAC-FTA01"


def settings_from_the_file_only(agent) -> None:
    """Drop the fixture's RESYNC_* variables: settings given in the environment go into the line."""
    for name in [name for name in agent.env if name.startswith("RESYNC_")]:
        agent.env.pop(name)


def test_install_cron_adds_one_line_and_is_idempotent(agent):
    agent.use_fakes("darwin")
    settings_from_the_file_only(agent)
    config = agent.home / "agent.conf"
    config.write_text("RESYNC_MASTER_HOST=127.0.0.1\n")
    crontab = agent.home / "fake-state" / "crontab"
    crontab.write_text("0 2 * * * /usr/local/bin/backup.sh\n")
    for _ in range(2):
        result = agent.run("--install-cron", "--config", str(config))
        assert result.returncode == 0, result.stderr
    lines = crontab.read_text().splitlines()
    assert lines[0] == "0 2 * * * /usr/local/bin/backup.sh"
    assert lines[1:] == [f"*/5 * * * * {AGENT} --config '{config}' >/dev/null 2>&1"]


def test_install_cron_on_aix_lists_the_minutes(agent):
    agent.use_fakes("aix")
    settings_from_the_file_only(agent)
    (agent.home / ".resync-agent.conf").write_text("RESYNC_MASTER_HOST=127.0.0.1\n")
    assert agent.run("--install-cron").returncode == 0
    table = (agent.home / "fake-state" / "crontab").read_text()
    assert table == f"0,5,10,15,20,25,30,35,40,45,50,55 * * * * {AGENT} >/dev/null 2>&1\n"


def test_example_configuration_is_understood(agent):
    example = REPO / "agent" / "resync-agent.conf.example"
    # Environment wins over the file: keep the run on loopback and in the test's directories.
    result = agent.run(
        "--dry-run",
        "--config",
        str(example),
        RESYNC_PING_COUNT="1",
        RESYNC_SAMPLE_SECONDS="1",
        TWS_HOME=str(agent.home),
    )
    assert result.returncode == 0, result.stderr
    assert "ignoring unknown setting" not in result.stderr
    assert '"tcp_connectivity": 0' in result.stdout


def test_install_cron_replaces_an_old_line_and_carries_environment_settings(agent):
    agent.use_fakes("darwin")
    settings_from_the_file_only(agent)
    crontab = agent.home / "fake-state" / "crontab"
    crontab.write_text(f"*/5 * * * * {AGENT} --config '/etc/old/agent.conf' >/dev/null 2>&1\n")
    config = agent.home / "agent.conf"
    config.write_text("RESYNC_MASTER_HOST=127.0.0.1\n")
    result = agent.run(
        "--install-cron", "--config", str(config), RESYNC_MASTER_PORT="31111", TWS_HOME="/opt/TWS"
    )
    assert result.returncode == 0, result.stderr
    assert crontab.read_text().splitlines() == [
        f"*/5 * * * * RESYNC_MASTER_PORT='31111' TWS_HOME='/opt/TWS' {AGENT} --config '{config}'"
        " >/dev/null 2>&1"
    ]


def test_install_cron_refuses_a_setting_cron_would_mangle(agent):
    agent.use_fakes("darwin")
    result = agent.run("--install-cron", RESYNC_API_URL="https://resync.example.com/%7Eapi")
    assert result.returncode == 78
    assert "RESYNC_API_URL cannot be written into a crontab line" in result.stderr
