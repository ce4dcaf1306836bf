# shellcheck shell=sh
# macOS readings: sysctl, vm_stat, top -l, netstat -ib, and ioreg for per-direction disk bytes
# (macOS iostat reports only combined read+write megabytes, so it cannot give the split).

darwin_clock() {
    epoch_seconds
}

darwin_read_counters() {
    darwin_disk=$(ioreg -c IOBlockStorageDriver -r -w 0 2>/dev/null | awk '
        /"Statistics" = / {
            line = $0
            if (match(line, /"Bytes \(Read\)"=[0-9]+/)) {
                text = substr(line, RSTART, RLENGTH); sub(/.*=/, "", text); read += text / 1024
            }
            if (match(line, /"Bytes \(Write\)"=[0-9]+/)) {
                text = substr(line, RSTART, RLENGTH); sub(/.*=/, "", text); written += text / 1024
            }
        }
        END { printf "%.3f %.3f\n", read, written }')
    darwin_network=$(netstat -ib 2>/dev/null | awk '
        NR == 1 {
            # Columns are counted from the right: the Address column is blank for some
            # interfaces, which shifts everything on its left.
            for (i = 1; i <= NF; i++) { if ($i == "Ibytes") ib = NF - i; if ($i == "Obytes") ob = NF - i }
            next
        }
        # One <Link#n> row per interface carries its totals; address rows repeat them.
        $3 ~ /^<Link#/ && $1 !~ /^lo[0-9]*\*?$/ { rx += $(NF - ib) / 1024; tx += $(NF - ob) / 1024 }
        END { printf "%.3f %.3f\n", rx, tx }')
    printf '%s %s - - - -\n' "$darwin_disk" "$darwin_network"
}

# top's second sample covers exactly SECONDS; the first one is since boot.
darwin_sample_cpu() {
    top -l 2 -n 0 -s "$1" 2>/dev/null | awk '
        /^CPU usage:/ {
            for (i = 1; i <= NF; i++) if ($i ~ /^idle/) { idle = $(i - 1); sub(/%/, "", idle) }
            last = 100 - idle; found = 1
        }
        END { if (found) print last }'
}

# Used = total - (free + inactive + speculative): what macOS hands out on demand. vm_stat's
# "Pages free" leaves out the speculative (read-ahead) pages, which are as free.
darwin_memory_percent() {
    darwin_total_bytes=$(sysctl -n hw.memsize)
    vm_stat | awk -v total="$darwin_total_bytes" '
        /page size of/ { for (i = 1; i <= NF; i++) if ($i == "of") page = $(i + 1) }
        /^Pages free:/ { free = $NF + 0 }
        /^Pages inactive:/ { inactive = $NF + 0 }
        /^Pages speculative:/ { speculative = $NF + 0 }
        END {
            if (page == 0) page = 4096
            available = (free + inactive + speculative) * page
            if (total > 0 && free + inactive > 0) print 100 * (total - available) / total
        }'
}

# vm.swapusage: "total = 2048.00M  used = 1024.50M  free = 1023.50M  (encrypted)".
darwin_swap_percent() {
    sysctl -n vm.swapusage 2>/dev/null | awk '{
        for (i = 1; i < NF; i++) { if ($i == "total") total = $(i + 2) + 0; if ($i == "used") used = $(i + 2) + 0 }
    } END { if (total > 0) print 100 * used / total }'
}

darwin_inode_percent() {
    read_with parse_inode_percent "" df -i "$1"
}

# Only AIX shared-processor LPARs have an entitlement.
darwin_cpu_entitlement() {
    :
}

darwin_load_averages() {
    sysctl -n vm.loadavg | tr -d '{}' | awk '{ print $1, $2, $3 }'
}

darwin_process_count() {
    top -l 1 -n 0 2>/dev/null | awk '/^Processes:/ { print $2 + 0; exit }'
}

darwin_cpu_count() {
    sysctl -n hw.ncpu
}

darwin_memory_total_mb() {
    sysctl -n hw.memsize | awk '{ print $1 / 1048576 }'
}

darwin_os_version() {
    darwin_version=$(sw_vers -productVersion 2>/dev/null || true)
    printf '%s\n' "${darwin_version:-$(uname -r)}"
}

# "/" is the sealed, read-only system volume since macOS 10.15; what fills up is the data
# volume mounted at /System/Volumes/Data, which stands for "/" where it exists.
darwin_disk_usage() {
    if [ "$1" = / ]; then
        darwin_data=$(df -P -k /System/Volumes/Data 2>/dev/null | posix_df_usage)
        if [ -n "$darwin_data" ]; then
            printf '%s\n' "$darwin_data"
            return 0
        fi
    fi
    read_with posix_df_usage "" df -P -k "$1"
}

darwin_ping() {
    # -t bounds the whole run, so a silent master cannot hold the agent past its slot.
    ping -n -q -c "$2" -t $(($2 + 5)) "$1" 2>&1
}
