# shellcheck shell=sh
# Settings: read from the configuration file and the environment, defaulted, then checked.

CONFIG_NAMES="RESYNC_API_URL RESYNC_API_KEY_FILE RESYNC_WORKSTATION RESYNC_MASTER_HOST
RESYNC_MASTER_PORT RESYNC_PING_COUNT RESYNC_LATENCY_METHOD RESYNC_CA_BUNDLE RESYNC_HTTP_TIMEOUT
TWS_HOME RESYNC_STATE_DIR RESYNC_SPOOL_DIR RESYNC_LOG_FILE RESYNC_SPOOL_MAX_FILES
RESYNC_SPOOL_MAX_KB RESYNC_BATCH_SIZE RESYNC_SAMPLE_SECONDS RESYNC_STATE_MAX_AGE
RESYNC_LOCK_WAIT RESYNC_LOG_MAX_KB RESYNC_LOG_KEEP RESYNC_NETWORK_INTERFACES
RESYNC_MASTER_HTTPS_PORT RESYNC_START_DELAY_MAX"

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
    workstation_from_host=no
    if [ -z "$RESYNC_WORKSTATION" ]; then
        RESYNC_WORKSTATION=$(tws_workstation)
    fi
    if [ -z "$RESYNC_WORKSTATION" ]; then
        RESYNC_WORKSTATION=$(host_workstation)
        workstation_from_host=yes
    fi
}

require_integer() {
    if ! is_unsigned_integer "$2" || [ "$2" -lt "$3" ] || [ "$2" -gt "$4" ]; then
        die "$EXIT_CONFIG" "$1 must be a whole number from $3 to $4 (got '$2'); fix it in the configuration"
    fi
}

# A name given (RESYNC_WORKSTATION, localopts) that TWS would refuse is a configuration error.
# A host name TWS would refuse (a digit first, or too long) is not: no name is known yet, so
# samples wait in spool/unnamed/ and go under the name the FTA gets once it is set.
verify_config() {
    workstation_unnamed=no
    if ! awk -v name="$RESYNC_WORKSTATION" 'BEGIN { exit !(name ~ /^[A-Za-z][A-Za-z0-9_-]*$/ && length(name) <= 16) }'; then
        if [ "$workstation_from_host" = no ]; then
            die "$EXIT_CONFIG" "RESYNC_WORKSTATION '$RESYNC_WORKSTATION' is not a TWS workstation name (a letter, then letters, digits, - or _, at most 16); set it explicitly"
        fi
        workstation_unnamed=yes
        log WARN "the host name '$RESYNC_WORKSTATION' is not a TWS workstation name (a letter, then letters, digits, - or _, at most 16) and no localopts gives this FTA's thiscpu; samples wait in $RESYNC_SPOOL_DIR/unnamed/ until RESYNC_WORKSTATION (or TWS_HOME, for localopts) is set, then go under that name"
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
