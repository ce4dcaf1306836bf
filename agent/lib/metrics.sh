# shellcheck shell=sh
# Portable measurements shared by every OS: disk usage, latency to the master, counter rates.

# POSIX df -P -k: Filesystem, 1024-blocks, Used, Available, Capacity, Mounted on. Prints
# "percent total_kb mount_point"; percent is used / (used + available), as df itself computes
# it (blocks reserved for root are excluded).
posix_df_usage() {
    awk 'NR > 1 && NF >= 6 { total = $(NF - 4); used = $(NF - 3); available = $(NF - 2); mount = $NF }
         END { if (used + available > 0) printf "%.4f %d %s\n", 100 * used / (used + available), total, mount }'
}

# The inode column of any df (IUse% on Linux, %iused on macOS, %Iused on AIX), counted from
# the right as the mount point is the last column.
parse_inode_percent() {
    awk 'NR == 1 {
            last = ($NF == "on") ? NF - 1 : NF  # the header says "Mounted on" in two words
            for (i = 1; i <= NF; i++) if (tolower($i) ~ /^(iuse%|%iused)$/) column = last - i
            next
        }
        column != "" && NF > column { value = $(NF - column); sub(/%$/, "", value); if (value ~ /^[0-9.]+$/) print value; exit }'
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

# TCP connects to the master, for reachability and for latency where ICMP is blocked. curl's
# telnet:// sends nothing (no TLS error or protocol error in the master's log) and stays
# connected until --max-time, so the probes run side by side: a run takes one timeout at most.
# Prints one connect time in seconds per probe, 0 for a probe that did not connect.
# Arguments: host port probes.
tcp_connect_times() {
    case $1 in
        *:*) tcp_host="[$1]" ;;
        *) tcp_host=$1 ;;
    esac
    tcp_attempt=0
    while [ "$tcp_attempt" -lt "$3" ]; do
        curl -q --silent --output /dev/null --noproxy '*' --connect-timeout 3 --max-time 3 \
            --write-out '%{time_connect}\n' "telnet://$tcp_host:$2" </dev/null 2>/dev/null &
        tcp_attempt=$((tcp_attempt + 1))
    done
    wait
}

tcp_probe_summary() {
    tcp_connect_times "$1" "$2" "$3" | awk -v count="$3" '
        $1 + 0 > 0 { ms = $1 * 1000; n++; sum += ms; if (n == 1 || ms < low) low = ms; if (ms > high) high = ms }
        END {
            if (n == 0) { print 100; exit }
            printf "%s %.3f %.3f %.3f\n", 100 * (count - n) / count, low, sum / n, high
        }'
}

# 1 when a TCP connect to host:port succeeds within 3 s, else 0.
tcp_reachable() {
    tcp_connect_times "$1" "$2" 1 | awk '{ print ($1 + 0 > 0) ? 1 : 0 }'
}

# Sets latency_method, packet_loss, latency_min/avg/max (empty when all probes were lost),
# tcp_connectivity (the master's netman port, RESYNC_MASTER_PORT: the FTA's link) and
# https_connectivity (RESYNC_MASTER_HTTPS_PORT, empty when not configured).
measure_latency() {
    latency_summary=""
    latency_method=icmp
    if [ "$RESYNC_LATENCY_METHOD" != tcp ] && have_command ping; then
        latency_output=$("${os_prefix}_ping" "$RESYNC_MASTER_HOST" "$RESYNC_PING_COUNT") || true
        latency_summary=$(printf '%s\n' "$latency_output" | parse_ping_summary)
        if [ "$RESYNC_LATENCY_METHOD" = auto ] && printf '%s\n' "$latency_output" | ping_below_resolution; then
            time_connects_below_resolution
        fi
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
    else
        tcp_connectivity=$(tcp_reachable "$RESYNC_MASTER_HOST" "$RESYNC_MASTER_PORT")
    fi
    https_connectivity=""
    if [ -n "$RESYNC_MASTER_HTTPS_PORT" ]; then
        https_connectivity=$(tcp_reachable "$RESYNC_MASTER_HOST" "$RESYNC_MASTER_HTTPS_PORT")
    fi
}

# True when ping printed whole milliseconds (AIX) and the fastest reply read 0: the master
# answers in under a millisecond, which such a ping cannot tell apart from nothing.
ping_below_resolution() {
    awk '/min\/avg\/max/ { text = $0; sub(/.*= */, "", text); split(text, part, "/")
            below = (part[1] !~ /\./ && part[1] + 0 == 0) }
        END { exit !below }'
}

# Timed TCP connects resolve microseconds; their summary replaces ping's unless none connected
# (then ping's loss and whole milliseconds are all there is).
time_connects_below_resolution() {
    latency_connects=$(tcp_probe_summary "$RESYNC_MASTER_HOST" "$RESYNC_MASTER_PORT" "$RESYNC_PING_COUNT")
    if [ "$latency_connects" = 100 ]; then
        log INFO "ping to $RESYNC_MASTER_HOST reads 0 ms (whole milliseconds) and port $RESYNC_MASTER_PORT does not connect; sending ping's whole milliseconds"
        return 0
    fi
    log INFO "ping to $RESYNC_MASTER_HOST reads 0 ms (whole milliseconds); timing TCP connects to port $RESYNC_MASTER_PORT instead"
    latency_method=tcp
    latency_summary=$latency_connects
}

state_value() {
    awk -F= -v key="$1" '$1 == key { print $2; found = 1; exit } END { if (!found) print "" }' "$2" 2>/dev/null || true
}

STATE_COUNTERS="disk_read_kb disk_write_kb net_rx_kb net_tx_kb cpu_busy cpu_total cpu_iowait cpu_steal"

# awk: whether the previous run's counters `p`, read at `previous_clock`, can be the base of
# rates up to counters `a` read at `clock`: a state no older than `max_age`, and no counter gone
# down (beyond rounding), which would mean a reboot or a reset.
STATE_USABLE_AWK='
    function known(value) { return value != "-" && value != "" }
    function state_usable(a, p, previous_clock, clock, max_age,    i, interval) {
        interval = clock - previous_clock
        if (previous_clock == "" || interval <= 0 || interval > max_age) return 0
        for (i = 1; i <= 8; i++) if (known(a[i]) && known(p[i]) && a[i] + 0 < p[i] - 1) return 0
        return 1
    }
'

# Sets state_clock and state_counters (as read_counters prints them, "-" where the state lacks
# one) from the counters the previous run saved.
read_state() {
    state_file=$RESYNC_STATE_DIR/counters.state
    state_clock=$(state_value clock "$state_file")
    state_counters=""
    for state_name in $STATE_COUNTERS; do
        state_counter=$(state_value "$state_name" "$state_file")
        state_counters="$state_counters ${state_counter:--}"
    done
}

# Whether the previous run's counters give every rate up to these counters, read at this clock
# (Arguments: counters clock): then the interval since that run is the sample, with CPU time
# counted in it, and no pause is needed.
state_covers() {
    read_state
    awk -v now="$1" -v clock="$2" -v previous="$state_counters" -v previous_clock="$state_clock" \
        -v max_age="$RESYNC_STATE_MAX_AGE" "$STATE_USABLE_AWK"'
        BEGIN {
            split(now, a, " "); split(previous, p, " ")
            covers = state_usable(a, p, previous_clock, clock, max_age) && a[6] > p[6]
            for (i = 1; i <= 8 && covers; i++) if (known(a[i]) && !known(p[i])) covers = 0
            exit !covers
        }'
}

# Rates over the interval since the previous run, from counters saved in the state file; a
# first run, a reboot, a counter reset or a stale state falls back to the short sample. CPU is
# the busy share of the CPU time counted over the same interval. A counter the system would not
# give ("-") gives no rate.
# Arguments: counters_before clock_before counters_after clock_after; sets the four *_kbs and
# cpu_counted, cpu_iowait and cpu_steal (percent; empty without CPU counters).
compute_rates() {
    read_state
    rates_result=$(awk -v before="$1" -v clock_before="$2" -v after="$3" -v clock_after="$4" \
        -v previous="$state_counters" -v previous_clock="$state_clock" \
        -v os="$os_prefix" -v nominal="$RESYNC_SAMPLE_SECONDS" -v max_age="$RESYNC_STATE_MAX_AGE" \
        "$STATE_USABLE_AWK"'
        BEGIN {
        split(before, b, " "); split(after, a, " "); split(previous, p, " ")
        interval = clock_after - previous_clock
        use_state = state_usable(a, p, previous_clock, clock_after, max_age)
        # Only Linux has a sub-second clock; elsewhere the sampler ran for the nominal time.
        short = (os == "linux") ? clock_after - clock_before : nominal
        if (short <= 0) short = nominal
        # Each counter over the interval when the state has it, else over the short sample.
        for (i = 1; i <= 8; i++) {
            from_state[i] = use_state && known(p[i])
            base[i] = from_state[i] ? p[i] : b[i]
        }
        for (i = 1; i <= 4; i++) {
            if (!known(a[i]) || !known(base[i])) { printf "- "; continue }
            rate = (a[i] - base[i]) / (from_state[i] ? interval : short)
            printf "%.3f ", (rate > 0 ? rate : 0)
        }
        ticks = a[6] - base[6]
        if (known(a[5]) && known(base[5]) && from_state[5] == from_state[6] && ticks > 0) {
            for (i = 5; i <= 8; i++) {
                if (i == 6) continue
                share = 100 * (a[i] - base[i]) / ticks
                printf "%.4f ", (share < 0 ? 0 : (share > 100 ? 100 : share))
            }
        } else printf "- - - "
        if (use_state) printf "interval %.2f\n", interval
        else printf "short %.2f\n", short
    }')
    # shellcheck disable=SC2086
    set -- $rates_result
    disk_read_kbs=$(number_or_null "$1" 1)
    disk_write_kbs=$(number_or_null "$2" 1)
    network_rx_kbs=$(number_or_null "$3" 1)
    network_tx_kbs=$(number_or_null "$4" 1)
    cpu_counted=${5#-} cpu_iowait=${6#-} cpu_steal=${7#-}
    log INFO "rates from the $8 sample over $9 s"
}

# Arguments: the counters (as read_counters prints them) and the clock they were read at.
save_counters() {
    save_temporary=$RESYNC_STATE_DIR/counters.state.$$
    printf '%s %s\n' "$2" "$1" | awk -v names="clock $STATE_COUNTERS" '
        { n = split(names, name, " "); for (i = 1; i <= n; i++) printf "%s=%s\n", name[i], $i }' \
        >"$save_temporary" && mv -f "$save_temporary" "$RESYNC_STATE_DIR/counters.state"
}
