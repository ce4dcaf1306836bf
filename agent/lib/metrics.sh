# shellcheck shell=sh
# Portable measurements shared by every OS: disk usage, latency to the master, counter rates.

# POSIX df -P -k: Filesystem, 1024-blocks, Used, Available, Capacity, Mounted on. Percent is
# used / (used + available), as df itself computes it (blocks reserved for root are excluded).
posix_df_usage() {
    awk 'NR > 1 && NF >= 6 { total = $(NF - 4); used = $(NF - 3); available = $(NF - 2) }
         END { if (used + available > 0) printf "%.4f %d\n", 100 * used / (used + available), total }'
}

# Reads any ping's output; prints "loss min avg max", or "loss" alone when nothing came back,
# or nothing when there was no summary (no ping, no permission, unknown host).
parse_ping_summary() {
    awk '
        /packet loss/ {
            for (i = 1; i <= NF; i++) if ($i ~ /%,?$/) { loss = $i; sub(/%,?$/, "", loss); found = 1 }
        }
        /min\/avg\/max/ {
            text = $0; sub(/.*= */, "", text); split(text, part, "/")
            low = part[1] + 0; mean = part[2] + 0; high = part[3] + 0; timed = 1
        }
        END {
            if (!found) exit
            if (timed && loss + 0 < 100) printf "%s %s %s %s\n", loss + 0, low, mean, high
            else print 100
        }'
}

# Timed TCP connects to the master's port, for networks that block ICMP. curl reports the
# connect time even when what follows (TLS, HTTP) fails, which is all this needs.
tcp_connect_seconds() {
    case $1 in
        *:*) tcp_host="[$1]" ;;
        *) tcp_host=$1 ;;
    esac
    curl --silent --output /dev/null --noproxy '*' --connect-timeout 3 --max-time 4 \
        --write-out '%{time_connect}' "http://$tcp_host:$2/" 2>/dev/null || true
}

tcp_probe_summary() {
    tcp_attempt=0
    while [ "$tcp_attempt" -lt "$3" ]; do
        tcp_connect_seconds "$1" "$2"
        printf '\n'
        tcp_attempt=$((tcp_attempt + 1))
    done | awk -v count="$3" '
        $1 + 0 > 0 { ms = $1 * 1000; n++; sum += ms; if (n == 1 || ms < low) low = ms; if (ms > high) high = ms }
        END {
            if (n == 0) { print 100; exit }
            printf "%s %.3f %.3f %.3f\n", 100 * (count - n) / count, low, sum / n, high
        }'
}

# Sets latency_method, packet_loss, latency_min/avg/max (empty when all probes were lost) and
# tcp_connectivity.
measure_latency() {
    latency_summary=""
    latency_method=icmp
    if [ "$RESYNC_LATENCY_METHOD" != tcp ] && have_command ping; then
        latency_summary=$("${os_prefix}_ping" "$RESYNC_MASTER_HOST" "$RESYNC_PING_COUNT" | parse_ping_summary)
    fi
    case $RESYNC_LATENCY_METHOD:$latency_summary in
        icmp:)
            log WARN "ping to $RESYNC_MASTER_HOST gave no summary (is ping installed and permitted?); reporting 100% loss"
            latency_summary=100 ;;
        auto: | auto:100 | tcp:*)
            if [ "$RESYNC_LATENCY_METHOD" = auto ]; then
                log INFO "ICMP to $RESYNC_MASTER_HOST unavailable or fully lost; timing TCP connects to port $RESYNC_MASTER_PORT"
            fi
            latency_method=tcp
            latency_summary=$(tcp_probe_summary "$RESYNC_MASTER_HOST" "$RESYNC_MASTER_PORT" "$RESYNC_PING_COUNT") ;;
    esac
    # shellcheck disable=SC2086
    set -- $latency_summary
    packet_loss=$(format_number "$1" 2)
    latency_min="" latency_avg="" latency_max=""
    if [ $# -eq 4 ]; then
        latency_min=$(format_number "$2" 3)
        latency_avg=$(format_number "$3" 3)
        latency_max=$(format_number "$4" 3)
    fi
    if [ "$latency_method" = tcp ] && [ "$packet_loss" != 100 ]; then
        tcp_connectivity=1
    elif [ -n "$(tcp_connect_seconds "$RESYNC_MASTER_HOST" "$RESYNC_MASTER_PORT" | awk '$1 + 0 > 0')" ]; then
        tcp_connectivity=1
    else
        tcp_connectivity=0
    fi
}

state_value() {
    awk -F= -v key="$1" '$1 == key { print $2; found = 1; exit } END { if (!found) print "" }' "$2" 2>/dev/null || true
}

# Rates over the interval since the previous run, from counters saved in the state file; a
# first run, a reboot, a counter reset or a stale state falls back to the short sample.
# Arguments: counters_before clock_before counters_after clock_after; sets the four *_kbs.
compute_rates() {
    rates_state=$RESYNC_STATE_DIR/counters.state
    rates_previous_clock=$(state_value clock "$rates_state")
    rates_previous="$(state_value disk_read_kb "$rates_state") $(state_value disk_write_kb "$rates_state") $(state_value net_rx_kb "$rates_state") $(state_value net_tx_kb "$rates_state")"
    rates_result=$(awk -v before="$1" -v clock_before="$2" -v after="$3" -v clock_after="$4" \
        -v previous="$rates_previous" -v previous_clock="$rates_previous_clock" \
        -v os="$os_prefix" -v nominal="$RESYNC_SAMPLE_SECONDS" -v max_age="$RESYNC_STATE_MAX_AGE" 'BEGIN {
        split(before, b, " "); split(after, a, " "); n = split(previous, p, " ")
        use_state = (n == 4 && previous_clock != "")
        # A counter that went down (beyond rounding) means a reboot or a reset.
        for (i = 1; i <= 4 && use_state; i++) if (a[i] + 0 < p[i] - 1) use_state = 0
        elapsed = clock_after - previous_clock
        if (use_state && (elapsed <= 0 || elapsed > max_age)) use_state = 0
        if (use_state) { for (i = 1; i <= 4; i++) base[i] = p[i]; source = "interval" }
        else {
            for (i = 1; i <= 4; i++) base[i] = b[i]
            # Only Linux has a sub-second clock; elsewhere the sampler ran for the nominal time.
            elapsed = (os == "linux") ? clock_after - clock_before : nominal
            source = "short"
        }
        if (elapsed <= 0) elapsed = nominal
        for (i = 1; i <= 4; i++) { rate = (a[i] - base[i]) / elapsed; printf "%.3f ", (rate > 0 ? rate : 0) }
        printf "%s %.2f\n", source, elapsed
    }')
    # shellcheck disable=SC2086
    set -- $rates_result
    disk_read_kbs=$(format_number "$1" 1)
    disk_write_kbs=$(format_number "$2" 1)
    network_rx_kbs=$(format_number "$3" 1)
    network_tx_kbs=$(format_number "$4" 1)
    log INFO "rates from the $5 sample over $6 s"
}

save_counters() {
    # shellcheck disable=SC2086
    set -- $1 "$2"
    save_temporary=$RESYNC_STATE_DIR/counters.state.$$
    printf 'clock=%s\ndisk_read_kb=%s\ndisk_write_kb=%s\nnet_rx_kb=%s\nnet_tx_kb=%s\n' \
        "$5" "$1" "$2" "$3" "$4" >"$save_temporary" && mv -f "$save_temporary" "$RESYNC_STATE_DIR/counters.state"
}
