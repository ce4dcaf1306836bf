# shellcheck shell=sh
# TWS facts: localopts (workstation name, netman port), stdlist size and its file systems,
# message-file fill, and whether the TWS processes run.

# TWS 9.5 and later keep localopts, stdlist and the .msg files in TWSDATA beside TWS_HOME.
tws_data_dir() {
    for tws_candidate in "$TWS_HOME" "$TWS_HOME/../TWSDATA"; do
        if [ -f "$tws_candidate/localopts" ]; then
            printf '%s\n' "$tws_candidate"
            return 0
        fi
    done
    printf '%s\n' "$TWS_HOME"
}

# A setting of TWS's localopts ("thiscpu", "nm port"; names are case-insensitive, spaces
# around "=" and comments after "#" are ignored), empty when it or the file is missing.
localopts_value() {
    [ -n "$TWS_HOME" ] && [ -d "$TWS_HOME" ] || return 0
    localopts_file="$(tws_data_dir)/localopts"
    [ -f "$localopts_file" ] || return 0
    awk -v name="$1" '{ line = $0; sub(/#.*/, "", line)
        split(line, part, "="); key = tolower(part[1]); gsub(/^[ \t]+|[ \t]+$/, "", key)
        if (key == name && index(line, "=")) {
            sub(/^[^=]*=[ \t]*/, "", line); sub(/[ \t]+$/, "", line); print line; exit } }' \
        "$localopts_file"
}

# The workstation name TWS itself uses (localopts "thiscpu"), upper-cased; empty without it.
tws_workstation() {
    to_upper "$(localopts_value thiscpu)"
}

# The short host name, upper-cased: the name when TWS's own is not found. A name TWS would
# refuse is left as it is, for verify_config to say so: a name cut to 16 characters could be
# another FTA's.
host_workstation() {
    host_name=$(uname -n)
    to_upper "${host_name%%.*}"
}

# evtsize -show prints "AWSDEK703I Queue size current N, maximum M bytes (read R, write W)".
parse_evtsize_percent() {
    awk '/[Qq]ueue size/ && /current/ && /maximum/ {
        line = $0; gsub(/,/, " ", line); n = split(line, word, " ")
        for (i = 1; i < n; i++) { if (word[i] == "current") used = word[i + 1]; if (word[i] == "maximum") size = word[i + 1] }
    }
    END { if (size > 0) printf "%.2f\n", 100 * used / size }'
}

# Prints the "tws" object, or nothing when TWS_HOME is not set or missing.
tws_facts_json() {
    if [ -z "$TWS_HOME" ] || ! [ -d "$TWS_HOME" ]; then
        return 0
    fi
    tws_data=$(tws_data_dir)
    tws_json=""
    if [ -d "$tws_data/stdlist" ]; then
        tws_stdlist_kb=$(du -sk "$tws_data/stdlist" 2>/dev/null | awk '{ print $1 }')
        tws_json="\"stdlist_mb\": $(format_number "$(awk -v kb="${tws_stdlist_kb:-0}" 'BEGIN { print kb / 1024 }')" 1)"
    fi
    tws_evtsize="$TWS_HOME/bin/evtsize"
    if ! [ -x "$tws_evtsize" ]; then
        tws_evtsize=$(command -v evtsize 2>/dev/null || true)
    fi
    tws_files=""
    if [ -n "$tws_evtsize" ]; then
        for tws_file in "$tws_data"/Mailbox.msg "$tws_data"/Intercom.msg "$tws_data"/Courier.msg "$tws_data"/pobox/*.msg; do
            [ -f "$tws_file" ] || continue
            tws_name=${tws_file#"$tws_data"/}
            tws_percent=$(cd "$tws_data" && "$tws_evtsize" -show "$tws_name" 2>/dev/null | parse_evtsize_percent)
            if [ -n "$tws_percent" ]; then
                tws_files="$tws_files${tws_files:+, }$(json_string "$tws_name"): $(format_number "$tws_percent" 2)"
            else
                log WARN "evtsize -show $tws_name gave no queue size; left out of message_files"
            fi
        done
    fi
    if [ -n "$tws_files" ]; then
        tws_json="$tws_json${tws_json:+, }\"message_files\": {$tws_files}"
    fi
    tws_json="$tws_json$(tws_extra_json "$tws_data")"
    printf '{%s}' "${tws_json#, }"
}

# The file systems TWS lives on (TWS_HOME, TWSDATA and stdlist when separate, /tmp) as
# "mount": percent, each once; the inode use of stdlist's; the TWS processes as "name": 0|1.
# Each part is printed with a leading ", ".
tws_extra_json() {
    tws_mounts=""
    tws_systems=""
    for tws_path in "$TWS_HOME" "$1" "$1/stdlist" /tmp; do
        [ -d "$tws_path" ] || continue
        # shellcheck disable=SC2046
        set -- "$1" $("${os_prefix}_disk_usage" "$tws_path")
        [ $# -eq 4 ] || continue
        case " $tws_mounts " in *" $4 "*) continue ;; esac
        tws_mounts="$tws_mounts $4"
        tws_systems="$tws_systems${tws_systems:+, }$(json_string "$4"): $(format_number "$2" 2)"
    done
    [ -n "$tws_systems" ] && printf ', "file_systems": {%s}' "$tws_systems"
    if [ -d "$1/stdlist" ]; then
        tws_inodes=$("${os_prefix}_inode_percent" "$1/stdlist")
        [ -n "$tws_inodes" ] && printf ', "stdlist_inodes_percent": %s' "$(format_number "$tws_inodes" 2)"
    fi
    tws_running=$(ps -e -o comm= 2>/dev/null | awk '{ name = $1; sub(/.*\//, "", name); running[name] = 1 }
        END { n = split("netman mailman batchman jobman", wanted, " ")
              for (i = 1; i <= n; i++) printf "%s\"%s\": %d", (i > 1 ? ", " : ""), wanted[i], (wanted[i] in running) }')
    [ -n "$tws_running" ] && printf ', "processes": {%s}' "$tws_running"
    return 0
}
