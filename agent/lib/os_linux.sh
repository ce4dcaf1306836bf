# shellcheck shell=sh
# Linux readings, all from /proc (and /sys/block to tell physical disks from virtual ones).

linux_clock() {
    # Seconds since boot with centiseconds: short samples need better than 1 s resolution.
    awk '{ print $1 }' /proc/uptime
}

# Cumulative counters: disk read kB, disk written kB, network received kB, network sent kB.
linux_read_counters() {
    linux_physical_disks=""
    for linux_block in /sys/block/*; do
        # Whole physical disks have a backing device; loop, ram, zram, dm- and md do not.
        if [ -e "$linux_block/device" ]; then
            linux_physical_disks="$linux_physical_disks ${linux_block##*/}"
        fi
    done
    awk -v disks="$linux_physical_disks" '
        BEGIN { n = split(disks, list, " "); for (i = 1; i <= n; i++) physical[list[i]] = 1 }
        FILENAME == "/proc/diskstats" && ($3 in physical) { read_kb += $6 / 2; write_kb += $10 / 2 }
        FILENAME == "/proc/net/dev" && index($0, ":") > 0 {
            line = $0; sub(/^[ \t]+/, "", line)
            name = substr(line, 1, index(line, ":") - 1)
            rest = substr(line, index(line, ":") + 1)
            split(rest, field, " ")
            if (name != "lo") { rx += field[1] / 1024; tx += field[9] / 1024 }
        }
        END { printf "%.3f %.3f %.3f %.3f\n", read_kb, write_kb, rx, tx }
    ' /proc/diskstats /proc/net/dev
}

# Busy share of all CPU time between two readings of /proc/stat, SECONDS apart.
linux_sample_cpu() {
    linux_cpu_before=$(awk '$1 == "cpu" { print; exit }' /proc/stat)
    sleep "$1"
    linux_cpu_after=$(awk '$1 == "cpu" { print; exit }' /proc/stat)
    printf '%s\n%s\n' "$linux_cpu_before" "$linux_cpu_after" | awk '
        {
            # user nice system idle iowait irq softirq steal; guest time is already in user.
            busy[NR] = $2 + $3 + $4 + $7 + $8 + $9
            total[NR] = busy[NR] + $5 + $6
        }
        END {
            elapsed = total[2] - total[1]
            print (elapsed > 0) ? 100 * (busy[2] - busy[1]) / elapsed : 0
        }'
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
    df -P -k "$1" 2>/dev/null | posix_df_usage
}

linux_ping() {
    ping -n -q -c "$2" -W 2 "$1" 2>&1
}
