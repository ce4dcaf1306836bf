# shellcheck shell=sh
# AIX readings: vmstat, svmon -G, iostat -d, netstat -v (or entstat), df -k, uptime, ps.

aix_clock() {
    epoch_seconds
}

# Sums the first "Bytes:" line (transmit left, receive right) of every ETHERNET STATISTICS
# block; EtherChannel totals are titled differently, so their members are not counted twice.
aix_ethernet_bytes() {
    awk '
        /^ETHERNET STATISTICS \(/ { in_adapter = 1; next }
        /STATISTICS \(/ { in_adapter = 0; next }
        in_adapter && /^Bytes:/ { tx += $2 / 1024; rx += $4 / 1024; in_adapter = 0 }
        END { printf "%.3f %.3f\n", rx, tx }'
}

aix_entstat_all() {
    for aix_interface in $(ifconfig -l 2>/dev/null); do
        case $aix_interface in
            en[0-9]*) entstat "ent${aix_interface#en}" 2>/dev/null ;;
        esac
    done
}

aix_read_counters() {
    # Without an interval, iostat -d prints totals since boot; hdisks are the physical volumes.
    aix_disk=$(iostat -d 2>/dev/null | awk '
        $1 ~ /^hdisk[0-9]+$/ { read += $(NF - 1); written += $NF }
        END { printf "%.3f %.3f\n", read, written }')
    aix_network=$(netstat -v 2>/dev/null | aix_ethernet_bytes)
    if [ "$aix_network" = "0.000 0.000" ]; then
        # netstat -v can be restricted; entstat reads the same counters adapter by adapter.
        aix_network=$(aix_entstat_all | aix_ethernet_bytes)
    fi
    printf '%s %s\n' "$aix_disk" "$aix_network"
}

# The last vmstat line covers the SECONDS interval; busy is user + system (wa is idle time).
aix_sample_cpu() {
    vmstat "$1" 2 2>/dev/null | awk '
        $1 == "r" && $2 == "b" { for (i = 1; i <= NF; i++) { if ($i == "us") us = i; if ($i == "sy") sy = i }; next }
        us && $1 ~ /^[0-9]+$/ { busy = $us + $sy }
        END { print busy + 0 }'
}

aix_vmstat_configuration() {
    vmstat 2>/dev/null | awk '/System configuration:/ { print; exit }'
}

# svmon -G counts 4 KB frames. AIX 6.1 TL6 and later print an "available" column (free plus
# reclaimable file cache); older levels fall back to "virtual", the computational pages.
aix_memory_percent() {
    svmon -G 2>/dev/null | awk '
        $1 == "size" { for (i = 1; i <= NF; i++) column[$i] = i + 1; next }
        $1 == "memory" {
            size = $(column["size"])
            if ("available" in column) used = size - $(column["available"])
            else used = $(column["virtual"])
            print (size > 0) ? 100 * used / size : 0
            exit
        }'
}

aix_load_averages() {
    uptime | awk '{
        line = $0; sub(/.*load average: */, "", line); gsub(/,/, " ", line)
        split(line, value, " "); print value[1], value[2], value[3]
    }'
}

aix_process_count() {
    ps -e -o pid= 2>/dev/null | awk 'END { print NR }'
}

aix_cpu_count() {
    aix_vmstat_configuration | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^lcpu=/) { sub(/lcpu=/, "", $i); print $i + 0 } }'
}

aix_memory_total_mb() {
    aix_vmstat_configuration | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^mem=/) { sub(/mem=/, "", $i); print $i + 0 } }'
}

aix_os_version() {
    printf '%s.%s\n' "$(uname -v)" "$(uname -r)"
}

# AIX df -k has no Used column: 1024-blocks, Free, %Used, Iused, %Iused, Mounted on.
aix_disk_usage() {
    df -k "$1" 2>/dev/null | awk '
        NR > 1 && NF >= 6 { total = $(NF - 5); free = $(NF - 4) }
        END { if (total > 0) printf "%.4f %d\n", 100 * (total - free) / total, total }'
}

aix_ping() {
    ping -n -q -c "$2" -w 2 "$1" 2>&1
}
