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

AGENT_VERSION="1.1.0"

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
# shellcheck source=lib/config.sh
. "$RESYNC_AGENT_LIB/config.sh"
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
    if [ "$workstation_unnamed" = yes ]; then
        hold_unnamed_sample "$run_payload" || run_status=$?
    else
        release_unnamed_samples
        deliver_payload "$run_payload" || run_status=$?
    fi
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
