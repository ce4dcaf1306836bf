# shellcheck shell=sh
# TWS facts (workstation name, stdlist size, message-file fill) and the payload itself.

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

# The workstation name TWS itself uses (localopts "thiscpu"), else the short host name.
default_workstation() {
    default_name=""
    if [ -n "$TWS_HOME" ] && [ -d "$TWS_HOME" ]; then
        default_localopts="$(tws_data_dir)/localopts"
        if [ -f "$default_localopts" ]; then
            default_name=$(awk '{ line = $0; sub(/#.*/, "", line)
                if (tolower(line) ~ /^[ \t]*thiscpu[ \t]*=/) {
                    sub(/^[^=]*=[ \t]*/, "", line); sub(/[ \t]+$/, "", line); print line; exit } }' \
                "$default_localopts")
        fi
    fi
    if [ -z "$default_name" ]; then
        default_name=$(uname -n)
        default_name=${default_name%%.*}
    fi
    # TWS names: a letter, then letters, digits, '-' or '_', 16 characters at most.
    to_upper "$default_name" | awk '{ gsub(/[^A-Z0-9_-]/, "-"); print substr($0, 1, 16) }'
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
    printf '{%s}' "$tws_json"
}

# Collects every reading and prints the payload as one line of JSON; a reading that could not
# be taken is null.
collect_payload() {
    collect_counters_before=$(reading_warnings=off "${os_prefix}_read_counters")
    collect_clock_before=$("${os_prefix}_clock")
    collect_sampled_cpu=$("${os_prefix}_sample_cpu" "$RESYNC_SAMPLE_SECONDS")
    collect_counters_after=$("${os_prefix}_read_counters")
    collect_clock_after=$("${os_prefix}_clock")
    compute_rates "$collect_counters_before" "$collect_clock_before" "$collect_counters_after" "$collect_clock_after"
    if [ "$collect_save_state" = yes ]; then
        save_counters "$collect_counters_after" "$collect_clock_after"
    fi
    cpu_percent=$(number_or_null "${cpu_counted:-$collect_sampled_cpu}" 2)
    memory_percent=$(number_or_null "$("${os_prefix}_memory_percent")" 2)
    collect_disk_path=/
    if [ -n "$TWS_HOME" ] && [ -d "$TWS_HOME" ]; then
        collect_disk_path=$TWS_HOME
    fi
    # shellcheck disable=SC2046
    set -- $("${os_prefix}_disk_usage" "$collect_disk_path")
    disk_percent=$(number_or_null "${1:-}" 2)
    disk_total_gb=$(number_or_null "$(awk -v kb="${2:-}" 'BEGIN { if (kb != "") print kb / 1048576 }')" 1)
    # shellcheck disable=SC2046
    set -- $("${os_prefix}_load_averages")
    load_avg_1=$(number_or_null "${1:-}" 2)
    load_avg_5=$(number_or_null "${2:-}" 2)
    load_avg_15=$(number_or_null "${3:-}" 2)
    process_count=$(number_or_null "$("${os_prefix}_process_count")" 0)
    measure_latency
    collect_tws=$(tws_facts_json)
    printf '{"workstation": %s, "timestamp": "%s", ' "$(json_string "$RESYNC_WORKSTATION")" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf '"metrics": {"cpu_percent": %s, "memory_percent": %s, "disk_percent": %s, ' \
        "$cpu_percent" "$memory_percent" "$disk_percent"
    printf '"latency_min_ms": %s, "latency_avg_ms": %s, "latency_max_ms": %s, ' \
        "$(json_number_or_null "$latency_min")" "$(json_number_or_null "$latency_avg")" "$(json_number_or_null "$latency_max")"
    printf '"packet_loss_percent": %s, "tcp_connectivity": %s, ' "$packet_loss" "$tcp_connectivity"
    printf '"disk_io_read_kbs": %s, "disk_io_write_kbs": %s, "process_count": %s, ' \
        "$disk_read_kbs" "$disk_write_kbs" "$process_count"
    printf '"load_avg_1": %s, "load_avg_5": %s, "load_avg_15": %s, ' "$load_avg_1" "$load_avg_5" "$load_avg_15"
    printf '"network_rx_kbs": %s, "network_tx_kbs": %s}, ' "$network_rx_kbs" "$network_tx_kbs"
    printf '"latency_method": "%s", ' "$latency_method"
    printf '"host": {"cpu_count": %s, "memory_total_mb": %s, "disk_total_gb": %s, ' \
        "$(number_or_null "$("${os_prefix}_cpu_count")" 0)" \
        "$(number_or_null "$("${os_prefix}_memory_total_mb")" 0)" "$disk_total_gb"
    printf '"os_type": %s, "os_version": %s, "agent_version": "%s"}' \
        "$(json_string "$os_type")" "$(json_string "$("${os_prefix}_os_version")")" "$AGENT_VERSION"
    if [ -n "$collect_tws" ]; then
        printf ', "tws": %s' "$collect_tws"
    fi
    printf '}\n'
}
