# shellcheck shell=sh
# Helpers shared by every part of the collector: logging, fatal errors, numbers, JSON, clock.

# Exit codes (documented in collect_metrics.sh --help and agent/README.md).
EXIT_OK=0
EXIT_USAGE=64
EXIT_REJECTED=65
EXIT_MISSING_DEPENDENCY=69
EXIT_CANNOT_WRITE=73
EXIT_TEMPORARY_FAILURE=75
EXIT_CONFIG=78

# Empty until run mode opens the log file; until then (and in --dry-run) logs go to stderr,
# never to stdout, which carries only the payload.
log_file=""

log() {
    log_level=$1
    shift
    log_line="$(date -u +%Y-%m-%dT%H:%M:%SZ) $log_level [$$] $*"
    if [ -n "$log_file" ] && printf '%s\n' "$log_line" >>"$log_file" 2>/dev/null; then
        # An operator running the agent by hand should see problems without opening the log.
        if [ "$log_level" != INFO ] && [ -t 2 ]; then
            printf '%s\n' "$log_line" >&2
        fi
    else
        printf '%s\n' "$log_line" >&2
    fi
}

die() {
    die_code=$1
    shift
    log ERROR "$*"
    if [ -n "$log_file" ] && ! [ -t 2 ]; then
        printf 'resync-agent: %s\n' "$*" >&2
    fi
    exit "$die_code"
}

have_command() {
    command -v "$1" >/dev/null 2>&1
}

is_unsigned_integer() {
    case $1 in
        '' | *[!0-9]*) return 1 ;;
    esac
    return 0
}

# Round to DECIMALS places and drop trailing zeros, so 45.20 becomes 45.2 and 3.00 becomes 3.
format_number() {
    awk -v value="$1" -v decimals="$2" 'BEGIN {
        text = sprintf("%." decimals "f", value + 0)
        if (index(text, ".") > 0) { sub(/0+$/, "", text); sub(/\.$/, "", text) }
        if (text == "-0") text = "0"
        print text
    }'
}

# A JSON number, or null for an empty value (latencies when every probe was lost).
json_number_or_null() {
    if [ -z "$1" ]; then
        printf 'null'
    else
        printf '%s' "$1"
    fi
}

# format_number, or null for an empty value or "-": a reading that could not be taken.
number_or_null() {
    case $1 in
        '' | -) printf 'null' ;;
        *) format_number "$1" "$2" ;;
    esac
}

# A reading the collector could not take is sent as null, never as 0, and said in the log with
# the command and the last line it printed (where errors go). Counters are read twice a run;
# the first read runs with reading_warnings=off so each failure is said once.
reading_failed() {
    [ "${reading_warnings:-on}" = on ] || return 0
    reading_message=$(printf '%s\n' "$2" | awk 'NF { sub(/^[ \t]+/, ""); last = $0 } END { print last }' | cut -c 1-200)
    log WARN "'$1' gave no reading (${reading_message:-no output})${3:+; $3}; sending null"
}

# Runs a command and prints what PARSER (a function reading the command's output on stdin)
# finds in it; when it finds nothing, warns with the command's own message and prints nothing.
# Arguments: PARSER HINT COMMAND [ARGUMENT...]; HINT (may be empty) tells the operator what to do.
read_with() {
    read_parser=$1
    read_hint=$2
    shift 2
    read_output=$("$@" 2>&1) || true
    read_value=$(printf '%s\n' "$read_output" | "$read_parser")
    if [ -n "$read_value" ]; then
        printf '%s\n' "$read_value"
    else
        reading_failed "$*" "$read_output" "$read_hint"
    fi
}

json_string() {
    printf '"%s"' "$(printf '%s' "$1" | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# Seconds since the epoch: `date +%s` is not POSIX (older AIX lacks it); awk's srand() is.
epoch_seconds() {
    epoch_now=$(date +%s 2>/dev/null || true)
    if ! is_unsigned_integer "$epoch_now"; then
        epoch_now=$(awk 'BEGIN { srand(); print srand() }')
    fi
    printf '%s\n' "$epoch_now"
}

file_size_bytes() {
    wc -c <"$1" 2>/dev/null | awk '{ print $1 + 0 }'
}

# The first ten characters of `ls -l` (any ACL or SELinux marker after them is ignored).
file_mode_string() {
    # shellcheck disable=SC2012
    ls -ld "$1" 2>/dev/null | awk '{ print substr($1, 1, 10) }'
}

to_upper() {
    printf '%s' "$1" | tr 'abcdefghijklmnopqrstuvwxyz' 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
}
