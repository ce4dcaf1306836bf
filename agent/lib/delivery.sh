# shellcheck shell=sh
# Delivery that loses nothing: one run at a time, POST, spool on transient failure, replay the
# spool oldest first through the batch endpoint, park permanent rejections in rejected/.

lock_path() {
    printf '%s/agent.lock\n' "$RESYNC_STATE_DIR"
}

# The command line of process PID, empty when it is not running (or ps is missing).
process_command() {
    ps -p "$1" -o args= 2>/dev/null || true
}

# A lock is stale when its run is gone: its PID is not running, or (after a reboot) the PID
# now belongs to another program. An empty lock is one a crash left before it was written.
lock_is_stale() {
    set -- "$(sed -n 1p "$1" 2>/dev/null)" "$(sed -n 2p "$1" 2>/dev/null)"
    [ -n "$1" ] || { lock_stale_reason="empty"; return 0; }
    if ! kill -0 "$1" 2>/dev/null; then
        lock_stale_reason="no longer running"
        return 0
    fi
    if [ -n "$2" ] && [ "$(process_command "$1")" != "$2" ]; then
        lock_stale_reason="the PID now runs another program"
        return 0
    fi
    return 1
}

# Takes the lock, waiting up to RESYNC_LOCK_WAIT seconds for a live holder. The lock (PID and
# command line) is written to a file of this run first and linked into place, so it is never
# seen half-written; when it cannot be written (a full disk) the run ends at once.
# Returns 0, or the exit code: EXIT_TEMPORARY_FAILURE (held too long), EXIT_CANNOT_WRITE.
acquire_lock() {
    lock_file=$(lock_path)
    lock_mine=$lock_file.$$
    lock_text="$$
$(process_command "$$")"
    if ! printf '%s\n' "$lock_text" >"$lock_mine" 2>/dev/null || [ "$(cat "$lock_mine" 2>/dev/null)" != "$lock_text" ]; then
        rm -f "$lock_mine"
        log ERROR "cannot write the lock file $lock_mine (is $RESYNC_STATE_DIR full or read-only?); skipping this run"
        return "$EXIT_CANNOT_WRITE"
    fi
    lock_waited=0
    lock_breaks=0
    while :; do
        if ln "$lock_mine" "$lock_file" 2>/dev/null; then
            rm -f "$lock_mine"
            return 0
        fi
        lock_holder=$(cat "$lock_file" 2>/dev/null || true)
        if [ "$lock_breaks" -lt 3 ] && lock_is_stale "$lock_file"; then
            lock_breaks=$((lock_breaks + 1))
            break_stale_lock "$lock_file" "$lock_holder"
            continue
        fi
        if [ "$lock_waited" -ge "$RESYNC_LOCK_WAIT" ] || [ "$lock_breaks" -ge 3 ]; then
            log WARN "another run (PID $(printf '%s\n' "$lock_holder" | sed -n 1p)) still holds $lock_file after ${lock_waited} s; exiting"
            rm -f "$lock_mine"
            return "$EXIT_TEMPORARY_FAILURE"
        fi
        sleep 1
        lock_waited=$((lock_waited + 1))
    done
}

# Two runs may find the same stale lock. The lock is moved aside (atomic) and removed only if
# it is still the stale one; a lock another run took meanwhile is linked back.
break_stale_lock() {
    lock_aside=$1.stale.$$
    mv -f "$1" "$lock_aside" 2>/dev/null || return 0
    if [ "$(cat "$lock_aside" 2>/dev/null || true)" = "$2" ]; then
        log WARN "removed a stale lock left by PID $(printf '%s\n' "$2" | sed -n 1p) ($lock_stale_reason)"
    else
        ln "$lock_aside" "$1" 2>/dev/null || true
    fi
    rm -f "$lock_aside"
}

release_lock() {
    if [ -n "${lock_file:-}" ]; then
        rm -f "$lock_mine"
        if [ "$(sed -n 1p "$lock_file" 2>/dev/null)" = "$$" ]; then
            rm -f "$lock_file"
        fi
    fi
}

rotate_log() {
    [ -f "$log_file" ] || return 0
    if [ "$(file_size_bytes "$log_file")" -gt $((RESYNC_LOG_MAX_KB * 1024)) ]; then
        rotate_index=$RESYNC_LOG_KEEP
        while [ "$rotate_index" -gt 1 ]; do
            [ -f "$log_file.$((rotate_index - 1))" ] && mv -f "$log_file.$((rotate_index - 1))" "$log_file.$rotate_index"
            rotate_index=$((rotate_index - 1))
        done
        mv -f "$log_file" "$log_file.1"
    fi
}

# POST a file of JSON; sets http_status ("000" when no HTTP answer) and leaves the answer in
# $response_file. The key goes to curl on stdin (--config -), never on its command line.
http_post() {
    : >"$response_file"
    http_status=$(
        {
            # -q first: the user's ~/.curlrc (a "verbose" in it would log the key) is not read.
            # A here-document, not printf: on AIX ksh88 printf is an external command whose
            # arguments other users could read with ps.
            cat <<HEADER
header = "Authorization: Bearer $api_key"
HEADER
            if [ -n "$RESYNC_CA_BUNDLE" ]; then
                printf 'cacert = "%s"\n' "$RESYNC_CA_BUNDLE"
            fi
        } | curl -q --config - --silent --show-error --proto '=https,http' \
            --connect-timeout 10 --max-time "$RESYNC_HTTP_TIMEOUT" \
            --header 'Content-Type: application/json' --data-binary "@$2" \
            --output "$response_file" --write-out '%{http_code}' "$1" 2>"$response_file.err"
    ) || true
    case $http_status in
        [1-5][0-9][0-9]) ;;
        *) http_status=000 ;;
    esac
}

# One line of the API's answer, or curl's error, for the log.
http_answer() {
    if [ -s "$response_file" ]; then
        tr '\n' ' ' <"$response_file" | cut -c 1-500
    else
        tr '\n' ' ' <"$response_file.err" 2>/dev/null | cut -c 1-500
    fi
}

# "delivered", "transient" (network, timeout, 408, 429, 5xx, unexpected) or "rejected".
classify_status() {
    case $1 in
        2[0-9][0-9]) printf 'delivered\n' ;;
        408 | 429) printf 'transient\n' ;;
        4[0-9][0-9]) printf 'rejected\n' ;;
        *) printf 'transient\n' ;;
    esac
}

spool_files() {
    # shellcheck disable=SC2012
    ls "$RESYNC_SPOOL_DIR" 2>/dev/null | awk '/^[0-9]+-.*\.json$/' | sort
}

next_spool_name() {
    spool_sequence_file=$RESYNC_STATE_DIR/spool.sequence
    spool_sequence=$(cat "$spool_sequence_file" 2>/dev/null || echo 0)
    is_unsigned_integer "$spool_sequence" || spool_sequence=0
    spool_sequence=$((spool_sequence + 1))
    printf '%s\n' "$spool_sequence" >"$spool_sequence_file"
    printf '%010d-%s.json\n' "$spool_sequence" "$(date -u +%Y%m%dT%H%M%SZ)"
}

spool_payload() {
    spool_name=$(next_spool_name)
    mv -f "$1" "$RESYNC_SPOOL_DIR/$spool_name"
    enforce_bounds "$RESYNC_SPOOL_DIR" spool
}

# The oldest samples of DIR go first when it outgrows the spool's count or size bound (a
# refused sample's .reason goes with it). One ls gives every size: a full spool is sized
# without a process per file.
enforce_bounds() {
    # shellcheck disable=SC2012
    bounds_drop=$(ls -ln "$1" 2>/dev/null | awk -v max_files="$RESYNC_SPOOL_MAX_FILES" \
        -v max_bytes=$((RESYNC_SPOOL_MAX_KB * 1024)) '
        $NF ~ /^[0-9]+-.*\.json$/ { n++; name[n] = $NF; size[n] = $5; total += $5 }
        END {
            for (i = 1; i < n && (n - i + 1 > max_files || total > max_bytes); i++) {
                print name[i]; total -= size[i]
            }
        }')
    [ -n "$bounds_drop" ] || return 0
    # shellcheck disable=SC2046,SC2086
    (cd "$1" && rm -f $bounds_drop $(printf '%s\n' "$bounds_drop" | sed 's/\.json$/.reason/'))
    log WARN "$2 full (${RESYNC_SPOOL_MAX_FILES} files / ${RESYNC_SPOOL_MAX_KB} kB): dropped the $(printf '%s\n' "$bounds_drop" | awk 'END { print NR }') oldest sample(s)"
}

reject_payload() {
    mkdir -p "$RESYNC_SPOOL_DIR/rejected"
    reject_name=${2:-$(next_spool_name)}
    mv -f "$1" "$RESYNC_SPOOL_DIR/rejected/$reject_name"
    printf 'HTTP %s %s\n' "$http_status" "$(http_answer)" >"$RESYNC_SPOOL_DIR/rejected/${reject_name%.json}.reason"
    enforce_bounds "$RESYNC_SPOOL_DIR/rejected" rejected/
    log ERROR "the API refused sample $reject_name (HTTP $http_status: $(http_answer)); kept in $RESYNC_SPOOL_DIR/rejected/ - fix the cause, then move it back to $RESYNC_SPOOL_DIR to resend"
}
