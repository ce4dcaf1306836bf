# shellcheck shell=sh
# The payload: every reading as one line of JSON.

# Collects every reading and prints the payload as one line of JSON; a reading that could not
# be taken is null.
collect_payload() {
    collect_counters_before=$(reading_warnings=off "${os_prefix}_read_counters")
    collect_clock_before=$("${os_prefix}_clock")
    # Linux counts CPU time in its counters: when the previous run's cover the interval since,
    # that interval is the sample and the run does not pause. AIX and macOS always sample CPU.
    collect_sampled_cpu=""
    if [ "$os_prefix" != linux ] || ! state_covers "$collect_counters_before" "$collect_clock_before"; then
        collect_sampled_cpu=$("${os_prefix}_sample_cpu" "$RESYNC_SAMPLE_SECONDS")
    fi
    collect_counters_after=$("${os_prefix}_read_counters")
    collect_clock_after=$("${os_prefix}_clock")
    compute_rates "$collect_counters_before" "$collect_clock_before" "$collect_counters_after" "$collect_clock_after"
    if [ "$collect_save_state" = yes ]; then
        save_counters "$collect_counters_after" "$collect_clock_after"
    fi
    # The short sample prints the busy share, then (AIX) the iowait share of the same seconds.
    # shellcheck disable=SC2086
    set -- $collect_sampled_cpu
    cpu_percent=$(number_or_null "${cpu_counted:-${1:-}}" 2)
    cpu_iowait=${cpu_iowait:-${2:-}}
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
    printf '"master_link": {"netman_port": %s' "$RESYNC_MASTER_PORT"
    if [ -n "$https_connectivity" ]; then
        printf ', "https_port": %s, "https_connectivity": %s' "$RESYNC_MASTER_HTTPS_PORT" "$https_connectivity"
    fi
    printf '}, '
    printf '"host": {"cpu_count": %s, "memory_total_mb": %s, "disk_total_gb": %s, ' \
        "$(number_or_null "$("${os_prefix}_cpu_count")" 0)" \
        "$(number_or_null "$("${os_prefix}_memory_total_mb")" 0)" "$disk_total_gb"
    printf '"os_type": %s, "os_version": %s, "agent_version": "%s"' \
        "$(json_string "$os_type")" "$(json_string "$("${os_prefix}_os_version")")" "$AGENT_VERSION"
    collect_entitlement=$("${os_prefix}_cpu_entitlement")
    if [ -n "$collect_entitlement" ]; then
        printf ', "cpu_entitlement": %s' "$(format_number "$collect_entitlement" 2)"
        log INFO "shared-processor LPAR (entitlement $collect_entitlement): cpu_percent is the share of the entitlement consumed"
    fi
    collect_swap=$("${os_prefix}_swap_percent")
    [ -n "$collect_swap" ] && printf ', "swap_percent": %s' "$(format_number "$collect_swap" 2)"
    [ -n "$cpu_iowait" ] && printf ', "cpu_iowait_percent": %s' "$(format_number "$cpu_iowait" 2)"
    [ -n "$cpu_steal" ] && printf ', "cpu_steal_percent": %s' "$(format_number "$cpu_steal" 2)"
    # What waits to be sent, so the server sees an agent that cannot deliver.
    printf ', "spool_files": %s, "rejected_files": %s}' \
        "$(spool_files | awk 'END { print NR }')" \
        "$(RESYNC_SPOOL_DIR=$RESYNC_SPOOL_DIR/rejected spool_files | awk 'END { print NR }')"
    if [ -n "$collect_tws" ]; then
        printf ', "tws": %s' "$collect_tws"
    fi
    printf '}\n'
}
