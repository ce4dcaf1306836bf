# shellcheck shell=sh
# Linux readings, all from /proc (and /sys/block to tell physical disks from virtual ones).

linux_clock() {
    # Seconds since boot with centiseconds: short samples need better than 1 s resolution.
    awk '{ print $1 }' /proc/uptime
}

# The interfaces whose traffic is counted (RESYNC_NETWORK_INTERFACES). Virtual interfaces
# stacked on others (bridges, veth, bonds, VLANs, docker) carry the same bytes again, so
# "physical" counts those backed by a device, else (a container, a VM without one) those
# carrying the default route; "default-route" counts the latter; anything else is a list.
linux_network_interfaces() {
    case $RESYNC_NETWORK_INTERFACES in
        physical)
            linux_interfaces=""
            for linux_interface in /sys/class/net/*; do
                [ -e "$linux_interface/device" ] && linux_interfaces="$linux_interfaces ${linux_interface##*/}"
            done
            if [ -n "$linux_interfaces" ]; then
                printf '%s\n' "$linux_interfaces"
            else
                linux_default_route_interfaces
            fi ;;
        default-route) linux_default_route_interfaces ;;
        *) printf '%s\n' "$RESYNC_NETWORK_INTERFACES" | tr ',' ' ' ;;
    esac
}

linux_default_route_interfaces() {
    {
        awk 'NR > 1 && $2 == "00000000" { print $1 }' /proc/net/route
        awk '$1 == "00000000000000000000000000000000" && $2 == "00" && $NF != "lo" { print $NF }' /proc/net/ipv6_route
    } 2>/dev/null | sort -u | tr '\n' ' '
}

# Cumulative counters: disk read kB, disk written kB, network received kB, network sent kB,
# then CPU time (busy, total, iowait, steal) in clock ticks.
linux_read_counters() {
    linux_physical_disks=""
    for linux_block in /sys/block/*; do
        # Whole physical disks have a backing device; loop, ram, zram, dm- and md do not.
        if [ -e "$linux_block/device" ]; then
            linux_physical_disks="$linux_physical_disks ${linux_block##*/}"
        fi
    done
    awk -v disks="$linux_physical_disks" -v interfaces="$(linux_network_interfaces)" '
        BEGIN {
            n = split(disks, list, " "); for (i = 1; i <= n; i++) physical[list[i]] = 1
            n = split(interfaces, list, " "); for (i = 1; i <= n; i++) counted[list[i]] = 1
        }
        FILENAME == "/proc/diskstats" && ($3 in physical) { read_kb += $6 / 2; write_kb += $10 / 2 }
        FILENAME == "/proc/net/dev" && index($0, ":") > 0 {
            line = $0; sub(/^[ \t]+/, "", line)
            name = substr(line, 1, index(line, ":") - 1)
            rest = substr(line, index(line, ":") + 1)
            split(rest, field, " ")
            if (name in counted) { rx += field[1] / 1024; tx += field[9] / 1024 }
        }
        # user nice system idle iowait irq softirq steal; guest time is already in user.
        FILENAME == "/proc/stat" && $1 == "cpu" {
            busy = $2 + $3 + $4 + $7 + $8 + $9; total = busy + $5 + $6; iowait = $6; steal = $9
        }
        END { printf "%.3f %.3f %.3f %.3f %d %d %d %d\n", read_kb, write_kb, rx, tx, busy, total, iowait, steal }
    ' /proc/diskstats /proc/net/dev /proc/stat
}

# CPU comes from the counters read around this pause.
linux_sample_cpu() {
    sleep "$1"
}

linux_memory_percent() {
    awk '
        $1 == "MemTotal:" { total = $2 }
        $1 == "MemAvailable:" { available = $2; have_available = 1 }
        $1 == "MemFree:" { free = $2 }
        $1 == "Buffers:" { buffers = $2 }
        $1 == "Cached:" { cached = $2 }
        END {
            # Kernels before 3.14 lack MemAvailable; free + buffers + cache approximates it.
            if (!have_available) available = free + buffers + cached
            print (total > 0) ? 100 * (total - available) / total : 0
        }' /proc/meminfo
}

# Nothing when the host has no swap.
linux_swap_percent() {
    awk '$1 == "SwapTotal:" { total = $2 } $1 == "SwapFree:" { free = $2 }
        END { if (total > 0) print 100 * (total - free) / total }' /proc/meminfo
}

linux_inode_percent() {
    read_with parse_inode_percent "" df -P -i "$1"
}

# Only AIX shared-processor LPARs have an entitlement.
linux_cpu_entitlement() {
    :
}

linux_load_averages() {
    awk '{ print $1, $2, $3 }' /proc/loadavg
}

linux_process_count() {
    linux_processes=0
    for linux_pid_dir in /proc/[0-9]*; do
        [ -d "$linux_pid_dir" ] && linux_processes=$((linux_processes + 1))
    done
    printf '%s\n' "$linux_processes"
}

linux_cpu_count() {
    linux_cpus=$(grep -c '^processor' /proc/cpuinfo 2>/dev/null || true)
    if ! is_unsigned_integer "$linux_cpus" || [ "$linux_cpus" -lt 1 ]; then
        linux_cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)
    fi
    printf '%s\n' "$linux_cpus"
}

linux_memory_total_mb() {
    awk '$1 == "MemTotal:" { print $2 / 1024; exit }' /proc/meminfo
}

linux_os_version() {
    uname -r
}

# Prints "percent total_kb" for the file system holding PATH, as df reports it.
linux_disk_usage() {
    read_with posix_df_usage "" df -P -k "$1"
}

linux_ping() {
    ping -n -q -c "$2" -W 2 "$1" 2>&1
}
