#!/bin/sh
# Resync FTA collector: measures this host and its link to the TWS master every 5 minutes (cron)
# and posts the sample to the Resync API; samples that cannot be sent wait in a local spool.
#
# Exit codes: 0 delivered (or printed, or cron line installed) | 64 usage error
#   65 the API refused the sample (kept in rejected/) | 69 a required command is missing
#   73 a state, spool or log path is not writable | 75 sample spooled for a later run, or
#   another run held the lock too long | 78 configuration error
# shellcheck source-path=SCRIPTDIR
set -eu
umask 077
# Every command whose output is parsed prints numbers as in the C locale: under a comma-decimal
# LANG (pt_BR, de_DE) awk would print 100,00 and read 0.022 as 0.
LC_ALL=C
export LC_ALL

AGENT_VERSION="1.0.0"
CONFIG_NAMES="RESYNC_API_URL RESYNC_API_KEY_FILE RESYNC_WORKSTATION RESYNC_MASTER_HOST
RESYNC_MASTER_PORT RESYNC_PING_COUNT RESYNC_LATENCY_METHOD RESYNC_CA_BUNDLE RESYNC_HTTP_TIMEOUT
TWS_HOME RESYNC_STATE_DIR RESYNC_SPOOL_DIR RESYNC_LOG_FILE RESYNC_SPOOL_MAX_FILES
RESYNC_SPOOL_MAX_KB RESYNC_BATCH_SIZE RESYNC_SAMPLE_SECONDS RESYNC_STATE_MAX_AGE
RESYNC_LOCK_WAIT RESYNC_LOG_MAX_KB RESYNC_LOG_KEEP RESYNC_NETWORK_INTERFACES RESYNC_MASTER_HTTPS_PORT RESYNC_START_DELAY_MAX"

# Cron runs with a minimal PATH (or none); ping, sysctl, svmon and ioreg live in the sbin
# directories, and AIX Toolbox's curl in /opt/freeware/bin.
PATH=${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin:/usr/bin:/bin:/opt/freeware/bin
export PATH

# This script's own path, through any symbolic links to it (readlink -f is not portable).
script_path() {
    script_file=$0
    while [ -h "$script_file" ]; do
        # shellcheck disable=SC2012
        script_target=$(ls -ld "$script_file" | sed 's/.* -> //')
        case $script_target in
            /*) script_file=$script_target ;;
            *) script_file=$(dirname "$script_file")/$script_target ;;
        esac
    done
    printf '%s/%s\n' "$(cd "$(dirname "$script_file")" && pwd -P)" "$(basename "$script_file")"
}

SCRIPT_PATH=$(script_path)
RESYNC_AGENT_LIB=${RESYNC_AGENT_LIB:-$(dirname "$SCRIPT_PATH")/lib}
if ! [ -r "$RESYNC_AGENT_LIB/replay.sh" ]; then
    printf 'resync-agent: %s is missing or incomplete; install the whole agent directory\n' "$RESYNC_AGENT_LIB" >&2
    exit 69
fi
# shellcheck source=lib/common.sh
. "$RESYNC_AGENT_LIB/common.sh"
# shellcheck source=lib/os_linux.sh
. "$RESYNC_AGENT_LIB/os_linux.sh"
# shellcheck source=lib/os_darwin.sh
. "$RESYNC_AGENT_LIB/os_darwin.sh"
# shellcheck source=lib/os_aix.sh
. "$RESYNC_AGENT_LIB/os_aix.sh"
# shellcheck source=lib/metrics.sh
. "$RESYNC_AGENT_LIB/metrics.sh"
# shellcheck source=lib/tws.sh
. "$RESYNC_AGENT_LIB/tws.sh"
# shellcheck source=lib/payload.sh
. "$RESYNC_AGENT_LIB/payload.sh"
# shellcheck source=lib/delivery.sh
. "$RESYNC_AGENT_LIB/delivery.sh"
# shellcheck source=lib/replay.sh
. "$RESYNC_AGENT_LIB/replay.sh"

usage() {
    cat <<'USAGE'
Usage: collect_metrics.sh [--config FILE] [--dry-run | --install-cron | --version | --help]

  --dry-run       collect one sample and print its JSON on stdout; sends nothing, needs no key
  --config FILE   configuration file (default /etc/resync/agent.conf, then ~/.resync-agent.conf);
                  every setting can also come from an environment variable of the same name
  --install-cron  add the every-5-minutes crontab line for this user (once)
  --version       print the agent version
  --help          this text

Exit codes: 0 delivered | 64 usage | 65 refused by the API (see rejected/) | 69 missing command
            73 path not writable | 75 spooled for later, or another run holds the lock | 78 config
USAGE
}

# Reads NAME=value lines; the file is parsed, never executed, so it cannot run commands.
# A variable already set in the environment wins over the file.
load_config_file() {
    if ! [ -r "$1" ]; then
        config_error="cannot read the configuration file $1; check its path and permissions"
        return 0
    fi
    while IFS= read -r config_line; do
        case $config_line in '' | '#'*) continue ;; esac
        config_name=${config_line%%=*}
        config_value=${config_line#*=}
        case " $(printf '%s' "$CONFIG_NAMES" | tr '\n' ' ') " in
            *" $config_name "*) ;;
            *) log WARN "$1: ignoring unknown setting '$config_name'"; continue ;;
        esac
        case $config_value in
            \"*\") config_value=${config_value#\"}; config_value=${config_value%\"} ;;
            \'*\') config_value=${config_value#\'}; config_value=${config_value%\'} ;;
        esac
        eval "config_current=\${$config_name:-}"
        if [ -z "$config_current" ]; then
            eval "$config_name=\$config_value"
        fi
    done <<CONFIG
$(sed -e 's/^[[:space:]]*//' -e 's/[[:space:]]*$//' "$1")
CONFIG
}

# Sets config_error instead of stopping, so that a run can open its log and say it there.
load_config() {
    config_error=""
    environment_settings=""
    for config_name in $CONFIG_NAMES; do
        eval "config_current=\${$config_name:-}"
        [ -n "$config_current" ] && environment_settings="$environment_settings $config_name"
    done
    if [ -n "$config_file" ]; then
        load_config_file "$config_file"
    elif [ -f /etc/resync/agent.conf ]; then
        load_config_file /etc/resync/agent.conf
    elif [ -n "${HOME:-}" ] && [ -f "$HOME/.resync-agent.conf" ]; then
        load_config_file "$HOME/.resync-agent.conf"
    fi
    for config_name in $CONFIG_NAMES; do
        eval "$config_name=\${$config_name:-}"
    done
    : "${RESYNC_API_KEY_FILE:=/etc/resync/agent.key}"
    # The link runs over netman: the master's is taken to listen on the port this FTA's does.
    if [ -z "$RESYNC_MASTER_PORT" ]; then
        RESYNC_MASTER_PORT=$(localopts_value "nm port")
        : "${RESYNC_MASTER_PORT:=31111}"
    fi
    : "${RESYNC_PING_COUNT:=20}"
    : "${RESYNC_LATENCY_METHOD:=auto}"
    : "${RESYNC_HTTP_TIMEOUT:=30}"
    : "${RESYNC_STATE_DIR:=${HOME:-/tmp}/.resync-agent}"
    : "${RESYNC_SPOOL_DIR:=$RESYNC_STATE_DIR/spool}"
    : "${RESYNC_LOG_FILE:=$RESYNC_STATE_DIR/agent.log}"
    : "${RESYNC_SPOOL_MAX_FILES:=2016}"
    : "${RESYNC_SPOOL_MAX_KB:=10240}"
    : "${RESYNC_BATCH_SIZE:=500}"
    : "${RESYNC_SAMPLE_SECONDS:=2}"
    : "${RESYNC_STATE_MAX_AGE:=900}"
    : "${RESYNC_LOCK_WAIT:=60}"
    : "${RESYNC_LOG_MAX_KB:=1024}"
    : "${RESYNC_LOG_KEEP:=3}"
    : "${RESYNC_NETWORK_INTERFACES:=physical}"
    : "${RESYNC_START_DELAY_MAX:=60}"
    if [ -z "$RESYNC_WORKSTATION" ]; then
        RESYNC_WORKSTATION=$(default_workstation)
    fi
}

detect_os() {
    os_type=$(uname -s)
    case $os_type in
        Linux) os_prefix=linux ;;
        Darwin) os_prefix=darwin ;;
        AIX) os_prefix=aix ;;
        *) die "$EXIT_MISSING_DEPENDENCY" "unsupported operating system '$os_type' (Linux, macOS and AIX are supported)" ;;
    esac
}

check_deps() {
    case $os_prefix in
        linux) deps_needed="df sleep" ;;
        darwin) deps_needed="df sysctl vm_stat top netstat ioreg" ;;
        aix) deps_needed="df vmstat svmon iostat netstat uptime ps" ;;
    esac
    for deps_name in awk sed tr date curl uname $deps_needed; do
        have_command "$deps_name" || die "$EXIT_MISSING_DEPENDENCY" "required command '$deps_name' not found in PATH ($PATH); install it or fix PATH"
    done
}

require_integer() {
    if ! is_unsigned_integer "$2" || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
        die "$EXIT_CONFIG" "$1 must be a whole number from $3 to $4 (got '$2'); fix it in the configuration"
    fi
}

verify_config() {
    if ! awk -v name="$RESYNC_WORKSTATION" 'BEGIN { exit !(name ~ /^[A-Za-z][A-Za-z0-9_-]*$/ && length(name) <= 16) }'; then
        die "$EXIT_CONFIG" "RESYNC_WORKSTATION '$RESYNC_WORKSTATION' is not a TWS workstation name (a letter, then letters, digits, - or _, at most 16); set it explicitly"
    fi
    [ -n "$RESYNC_MASTER_HOST" ] || die "$EXIT_CONFIG" "RESYNC_MASTER_HOST is not set; set it to the TWS master's host name"
    case $RESYNC_MASTER_HOST in
        -* | *[!A-Za-z0-9.:_-]*) die "$EXIT_CONFIG" "RESYNC_MASTER_HOST '$RESYNC_MASTER_HOST' is not a host name or IP address" ;;
    esac
    case $RESYNC_LATENCY_METHOD in
        auto | icmp | tcp) ;;
        *) die "$EXIT_CONFIG" "RESYNC_LATENCY_METHOD must be auto, icmp or tcp (got '$RESYNC_LATENCY_METHOD')" ;;
    esac
    case $RESYNC_NETWORK_INTERFACES in
        *[!A-Za-z0-9_.:@,\ -]*) die "$EXIT_CONFIG" "RESYNC_NETWORK_INTERFACES must be physical, default-route or interface names (got '$RESYNC_NETWORK_INTERFACES')" ;;
    esac
    require_integer RESYNC_MASTER_PORT "$RESYNC_MASTER_PORT" 1 65535
    if [ -n "$RESYNC_MASTER_HTTPS_PORT" ]; then
        require_integer RESYNC_MASTER_HTTPS_PORT "$RESYNC_MASTER_HTTPS_PORT" 1 65535
    fi
    require_integer RESYNC_PING_COUNT "$RESYNC_PING_COUNT" 1 100
    require_integer RESYNC_SAMPLE_SECONDS "$RESYNC_SAMPLE_SECONDS" 1 60
    require_integer RESYNC_HTTP_TIMEOUT "$RESYNC_HTTP_TIMEOUT" 1 600
    require_integer RESYNC_BATCH_SIZE "$RESYNC_BATCH_SIZE" 1 5000
    require_integer RESYNC_SPOOL_MAX_FILES "$RESYNC_SPOOL_MAX_FILES" 1 1000000
    require_integer RESYNC_SPOOL_MAX_KB "$RESYNC_SPOOL_MAX_KB" 1 10000000
    require_integer RESYNC_STATE_MAX_AGE "$RESYNC_STATE_MAX_AGE" 1 86400
    require_integer RESYNC_LOCK_WAIT "$RESYNC_LOCK_WAIT" 0 3600
    require_integer RESYNC_LOG_MAX_KB "$RESYNC_LOG_MAX_KB" 1 1000000
    require_integer RESYNC_LOG_KEEP "$RESYNC_LOG_KEEP" 1 50
    require_integer RESYNC_START_DELAY_MAX "$RESYNC_START_DELAY_MAX" 0 240
    [ "$command" = run ] || return 0
    case $RESYNC_API_URL in
        https://*) ;;
        http://127.0.0.1[:/]* | http://localhost[:/]* | http://127.0.0.1 | http://localhost) ;;
        http://*) log WARN "RESYNC_API_URL uses plain http: the API key crosses the network unencrypted; use https" ;;
        *) die "$EXIT_CONFIG" "RESYNC_API_URL must start with https:// (got '$RESYNC_API_URL')" ;;
    esac
    RESYNC_API_URL=${RESYNC_API_URL%/}
    case $RESYNC_CA_BUNDLE in
        *\"* | *\\*) die "$EXIT_CONFIG" "RESYNC_CA_BUNDLE may not contain quotes or backslashes" ;;
    esac
    if [ -n "$RESYNC_CA_BUNDLE" ] && ! [ -r "$RESYNC_CA_BUNDLE" ]; then
        die "$EXIT_CONFIG" "RESYNC_CA_BUNDLE $RESYNC_CA_BUNDLE is not a readable file"
    fi
    [ -f "$RESYNC_API_KEY_FILE" ] || die "$EXIT_CONFIG" "API key file $RESYNC_API_KEY_FILE not found; create it (mode 0600) with the key from 'resync keys create'"
    case $(file_mode_string "$RESYNC_API_KEY_FILE") in
        -rw------- | -r--------) ;;
        *) die "$EXIT_CONFIG" "API key file $RESYNC_API_KEY_FILE must be readable by its owner only; run: chmod 600 $RESYNC_API_KEY_FILE" ;;
    esac
    api_key=$(awk 'NF { print $1; exit }' "$RESYNC_API_KEY_FILE" 2>/dev/null || true)
    case $api_key in
        rsk_*[!A-Za-z0-9_]* | '') die "$EXIT_CONFIG" "API key file $RESYNC_API_KEY_FILE does not hold an API key (rsk_...)" ;;
        rsk_?*) ;;
        *) die "$EXIT_CONFIG" "API key file $RESYNC_API_KEY_FILE does not hold an API key (rsk_...)" ;;
    esac
}

# A state directory another user owns or may write could hand this agent forged samples to
# send with its key (with HOME unset it is under /tmp): refuse it.
check_private_directory() {
    [ -d "$1" ] || return 0
    # shellcheck disable=SC2012
    private_owner=$(ls -ldn "$1/" 2>/dev/null | awk '{ print $3 }')
    if [ "$private_owner" != "$(id -u)" ]; then
        die "$EXIT_CANNOT_WRITE" "$1 belongs to another user (uid $private_owner); use a directory of user $(id -un 2>/dev/null || id -u) for RESYNC_STATE_DIR"
    fi
    case $(file_mode_string "$1/") in
        ?????w???? | ????????w?) die "$EXIT_CANNOT_WRITE" "$1 is writable by other users; run: chmod go-w $1" ;;
    esac
}

# Run mode logs from the start: cron discards stderr, so every later check must reach the log.
open_log() {
    for prepare_dir in "$RESYNC_STATE_DIR" "$RESYNC_SPOOL_DIR" "$RESYNC_SPOOL_DIR/rejected" "$(dirname "$RESYNC_LOG_FILE")"; do
        check_private_directory "$prepare_dir"
        if ! mkdir -p "$prepare_dir" 2>/dev/null || ! [ -w "$prepare_dir" ]; then
            die "$EXIT_CANNOT_WRITE" "cannot create or write $prepare_dir; create it for user $(id -un 2>/dev/null || echo '?')"
        fi
    done
    log_file=$RESYNC_LOG_FILE
}

# The line runs this script with the same --config and the settings given here only as
# environment variables; a line of an earlier installation is replaced.
install_cron() {
    cron_command=$SCRIPT_PATH
    cron_settings=""
    if [ -n "$config_file" ]; then
        cron_command="$cron_command --config '$(cd "$(dirname "$config_file")" && pwd -P)/$(basename "$config_file")'"
    fi
    cron_value=""
    for cron_name in $environment_settings; do
        eval "cron_value=\${$cron_name}"
        case $cron_value in
            *\'* | *%*) die "$EXIT_CONFIG" "$cron_name cannot be written into a crontab line (quote or %); set it in the configuration file" ;;
        esac
        cron_settings="$cron_settings$cron_name='$cron_value' "
    done
    cron_command="$cron_settings$cron_command"
    # AIX cron does not understand step values such as */5.
    cron_minutes='*/5'
    [ "$os_prefix" = aix ] && cron_minutes='0,5,10,15,20,25,30,35,40,45,50,55'
    cron_line="$cron_minutes * * * * $cron_command >/dev/null 2>&1"
    cron_current=$(crontab -l 2>/dev/null || true)
    if printf '%s\n' "$cron_current" | grep -F -x -q "$cron_line"; then
        log INFO "crontab already runs $SCRIPT_PATH this way; nothing changed"
        return 0
    fi
    cron_others=$(printf '%s\n' "$cron_current" | awk -v script="$SCRIPT_PATH" '/^[ \t]*#/ || !index($0, script)')
    mkdir -p "$RESYNC_STATE_DIR" || die "$EXIT_CANNOT_WRITE" "cannot create $RESYNC_STATE_DIR"
    cron_file=$RESYNC_STATE_DIR/crontab.$$
    {
        [ -n "$cron_others" ] && printf '%s\n' "$cron_others"
        printf '%s\n' "$cron_line"
    } >"$cron_file"
    crontab "$cron_file" || { rm -f "$cron_file"; die "$EXIT_CANNOT_WRITE" "crontab refused the new table; is this user allowed to use cron (cron.allow)?"; }
    rm -f "$cron_file"
    log INFO "installed the crontab line for $SCRIPT_PATH"
}

# Cron starts every FTA at the same second; a random wait spreads their posts.
wait_random_delay() {
    start_delay=$(awk -v max="$RESYNC_START_DELAY_MAX" -v pid="$$" \
        'BEGIN { srand(); srand(srand() + pid); printf "%d\n", rand() * (max + 1) }')
    if [ "$start_delay" -gt 0 ]; then
        log INFO "waiting a random $start_delay s (RESYNC_START_DELAY_MAX $RESYNC_START_DELAY_MAX) before sampling"
        sleep "$start_delay"
    fi
}

run_once() {
    rotate_log
    wait_random_delay
    trap 'release_lock' EXIT
    trap 'exit 75' INT TERM HUP
    acquire_lock || exit $?
    log INFO "run started (agent $AGENT_VERSION, workstation $RESYNC_WORKSTATION)"
    response_file=$RESYNC_STATE_DIR/response.$$
    run_payload=$RESYNC_SPOOL_DIR/.collecting.$$
    collect_save_state=yes
    collect_payload >"$run_payload"
    run_status=0
    deliver_payload "$run_payload" || run_status=$?
    rm -f "$response_file" "$response_file.err"
    log INFO "run finished (exit $run_status)"
    exit "$run_status"
}

main() {
    command=run
    config_file=""
    while [ $# -gt 0 ]; do
        case $1 in
            --dry-run) command=dry-run ;;
            --install-cron) command=install-cron ;;
            --version) printf 'resync-agent %s\n' "$AGENT_VERSION"; exit 0 ;;
            --help | -h) usage; exit 0 ;;
            --config)
                [ $# -ge 2 ] || die "$EXIT_USAGE" "--config needs a file name"
                config_file=$2
                shift ;;
            --config=*) config_file=${1#--config=} ;;
            *) usage >&2; die "$EXIT_USAGE" "unknown option '$1'" ;;
        esac
        shift
    done
    detect_os
    load_config
    [ "$command" = run ] && open_log
    [ -z "$config_error" ] || die "$EXIT_CONFIG" "$config_error"
    check_deps
    verify_config
    case $command in
        dry-run) collect_save_state=no; collect_payload ;;
        install-cron) install_cron ;;
        run) run_once ;;
    esac
}

if [ -z "${RESYNC_AGENT_SOURCED:-}" ]; then
    main "$@"
fi
