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

entstat_all_adapters() {
    for aix_interface in $(ifconfig -l 2>/dev/null); do
        case $aix_interface in
            en[0-9]*) entstat "ent${aix_interface#en}" 2>/dev/null ;;
        esac
    done
}

# Without an interval, iostat -d prints totals since boot; hdisks are the physical volumes.
# With the sys0 attribute iostat off it prints "Disk history since boot not available." only.
aix_parse_iostat() {
    awk '$1 ~ /^hdisk[0-9]+$/ { read += $(NF - 1); written += $NF; disks++ }
        END { if (disks) printf "%.3f %.3f\n", read, written }'
}

aix_parse_ethernet() {
    aix_ethernet_bytes | awk '$0 != "0.000 0.000"'
}

# Cumulative counters as in linux_read_counters; "-" where the system would not say.
aix_read_counters() {
    aix_disk=$(read_with aix_parse_iostat "enable disk history with: chdev -l sys0 -a iostat=true" iostat -d)
    aix_network=$(reading_warnings=off read_with aix_parse_ethernet "" netstat -v)
    if [ -z "$aix_network" ]; then
        # netstat -v can be restricted; entstat reads the same counters adapter by adapter.
        aix_network=$(read_with aix_parse_ethernet "netstat -v gave none either" entstat_all_adapters)
    fi
    printf '%s %s - - - -\n' "${aix_disk:-- -}" "${aix_network:-- -}"
}

# The last vmstat line covers the SECONDS interval; prints "busy iowait". Busy is user +
# system; iowait is wa, idle time with disk I/O outstanding, over the same interval. AIX counts
# no steal time: a shared LPAR's share of the pool shows as its entitlement consumed instead.
# On a shared-processor LPAR (an ec column) busy is the share of the entitlement consumed
# (ec, capped at 100): us + sy are shares of whatever physical CPU the LPAR got, which may be
# a sliver of a core. Columns are counted from the right: without -w, wide memory values run
# together on the left.
aix_parse_vmstat_cpu() {
    awk '$1 == "r" && $2 == "b" {
            for (i = 1; i <= NF; i++) {
                if ($i == "us") us = NF - i; if ($i == "sy") sy = NF - i
                if ($i == "wa") wa = NF - i; if ($i == "ec") ec = NF - i
            }
            next
        }
        us != "" && $NF ~ /^[0-9.]+$/ && $1 ~ /^[0-9]+$/ {
            busy = (ec != "") ? $(NF - ec) : $(NF - us) + $(NF - sy); iowait = $(NF - wa); found = 1
        }
        END { if (found) print (busy > 100 ? 100 : busy), iowait }'
}

aix_sample_cpu() {
    read_with aix_parse_vmstat_cpu "" vmstat "$1" 2
}

# Processing units of a shared-processor LPAR (vmstat's ent=), empty on a dedicated one.
aix_cpu_entitlement() {
    aix_vmstat_configuration | awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^ent=/) { sub(/ent=/, "", $i); print $i + 0 } }'
}

aix_vmstat_configuration() {
    vmstat 2>/dev/null | awk '/System configuration:/ { print; exit }'
}

# svmon -G counts 4 KB frames. AIX 6.1 TL6 and later print an "available" column (free plus
# reclaimable file cache); older levels fall back to "virtual", the computational pages.
aix_parse_svmon() {
    awk '$1 == "size" { for (i = 1; i <= NF; i++) column[$i] = i + 1; next }
        $1 == "memory" && ("size" in column) {
            size = $(column["size"])
            if ("available" in column) used = size - $(column["available"])
            else used = $(column["virtual"])
            if (size > 0) print 100 * used / size
            exit
        }'
}

# vmstat -v, for users svmon refuses: memory less free and file (cache) pages is in use.
aix_parse_vmstat_pages() {
    awk '$2 == "memory" && $3 == "pages" { size = $1 }
        $2 == "free" && $3 == "pages" { free = $1 }
        $2 == "file" && $3 == "pages" { file = $1 }
        END { if (size > 0) print 100 * (size - free - file) / size }'
}

aix_memory_percent() {
    aix_memory=$(read_with aix_parse_svmon "" svmon -G)
    if [ -z "$aix_memory" ]; then
        aix_memory=$(read_with aix_parse_vmstat_pages "" vmstat -v)
    fi
    printf '%s\n' "$aix_memory"
}

aix_parse_uptime() {
    awk '/load average/ {
        line = $0; sub(/.*load average: */, "", line); gsub(/,/, " ", line)
        split(line, value, " "); print value[1], value[2], value[3]
    }'
}

# lsps -s: "Total Paging Space   Percent Used" then "512MB   1%".
aix_swap_percent() {
    lsps -s 2>/dev/null | awk 'NR == 2 && $2 ~ /%$/ { sub(/%/, "", $2); print $2 + 0 }'
}

# AIX df -k carries the inode column (%Iused) already.
aix_inode_percent() {
    read_with parse_inode_percent "" df -k "$1"
}

aix_load_averages() {
    read_with aix_parse_uptime "" uptime
}

count_lines() {
    awk 'END { if (NR > 0) print NR }'
}

aix_process_count() {
    read_with count_lines "" ps -e -o pid=
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
aix_parse_df() {
    awk 'NR > 1 && NF >= 6 { total = $(NF - 5); free = $(NF - 4); mount = $NF }
        END { if (total > 0) printf "%.4f %d %s\n", 100 * (total - free) / total, total, mount }'
}

aix_disk_usage() {
    read_with aix_parse_df "" df -k "$1"
}

aix_ping() {
    ping -n -q -c "$2" -w 2 "$1" 2>&1
}
