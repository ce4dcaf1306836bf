# shellcheck shell=sh
# Delivery that loses nothing: one run at a time, POST, spool on transient failure, replay the
# spool oldest first through the batch endpoint, park permanent rejections in rejected/.

lock_path() {
    printf '%s/agent.lock\n' "$RESYNC_STATE_DIR"
}

# Waits up to RESYNC_LOCK_WAIT seconds; a lock whose PID is no longer running is stale.
acquire_lock() {
    lock_file=$(lock_path)
    lock_waited=0
    lock_empty_seen=0
    while :; do
        if (set -C; printf '%s\n' "$$" >"$lock_file") 2>/dev/null; then
            return 0
        fi
        lock_holder=$(cat "$lock_file" 2>/dev/null || true)
        if [ -z "$lock_holder" ]; then
            # Created but not yet written, or left empty by a crash: stale after a few checks.
            lock_empty_seen=$((lock_empty_seen + 1))
            [ "$lock_empty_seen" -ge 3 ] && lock_holder=stale-empty
        fi
        if [ -n "$lock_holder" ] && ! kill -0 "$lock_holder" 2>/dev/null; then
            break_stale_lock "$lock_file" "$lock_holder"
            continue
        fi
        if [ "$lock_waited" -ge "$RESYNC_LOCK_WAIT" ]; then
            log WARN "another run (PID $lock_holder) still holds $lock_file after ${RESYNC_LOCK_WAIT} s; exiting"
            return 1
        fi
        sleep 1
        lock_waited=$((lock_waited + 1))
    done
}

# Two runs may find the same stale lock; the mkdir guard lets only one of them remove it, and
# only if it still names the dead PID (the other run may have taken the lock meanwhile).
break_stale_lock() {
    if mkdir "$1.break" 2>/dev/null; then
        if [ "$(cat "$1" 2>/dev/null || true)" = "${2#stale-empty}" ]; then
            rm -f "$1"
            log WARN "removed a stale lock left by PID ${2#stale-empty} (no longer running)"
        fi
        rmdir "$1.break"
    else
        sleep 1
    fi
}

release_lock() {
    if [ -n "${lock_file:-}" ] && [ "$(cat "$lock_file" 2>/dev/null || true)" = "$$" ]; then
        rm -f "$lock_file"
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
            # A here-document, not printf: on AIX ksh88 printf is an external command whose
            # arguments other users could read with ps.
            cat <<HEADER
header = "Authorization: Bearer $api_key"
HEADER
            if [ -n "$RESYNC_CA_BUNDLE" ]; then
                printf 'cacert = "%s"\n' "$RESYNC_CA_BUNDLE"
            fi
        } | curl --config - --silent --show-error --proto '=https,http' \
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
    enforce_spool_bounds
}

# Oldest samples go first when the spool outgrows its count or size bound.
enforce_spool_bounds() {
    bounds_dropped=0
    while :; do
        bounds_count=$(spool_files | awk 'END { print NR }')
        bounds_bytes=$(cd "$RESYNC_SPOOL_DIR" && spool_files | while IFS= read -r bounds_name; do
            file_size_bytes "$bounds_name"
        done | awk '{ total += $1 } END { printf "%d\n", total }')
        if [ "$bounds_count" -le 1 ] || { [ "$bounds_count" -le "$RESYNC_SPOOL_MAX_FILES" ] && [ "$bounds_bytes" -le $((RESYNC_SPOOL_MAX_KB * 1024)) ]; }; then
            break
        fi
        rm -f "$RESYNC_SPOOL_DIR/$(spool_files | head -n 1)"
        bounds_dropped=$((bounds_dropped + 1))
    done
    if [ "$bounds_dropped" -gt 0 ]; then
        log WARN "spool full (${RESYNC_SPOOL_MAX_FILES} files / ${RESYNC_SPOOL_MAX_KB} kB): dropped the $bounds_dropped oldest sample(s)"
    fi
}

reject_payload() {
    mkdir -p "$RESYNC_SPOOL_DIR/rejected"
    reject_name=${2:-$(next_spool_name)}
    mv -f "$1" "$RESYNC_SPOOL_DIR/rejected/$reject_name"
    printf 'HTTP %s %s\n' "$http_status" "$(http_answer)" >"$RESYNC_SPOOL_DIR/rejected/${reject_name%.json}.reason"
    log ERROR "the API refused sample $reject_name (HTTP $http_status: $(http_answer)); kept in $RESYNC_SPOOL_DIR/rejected/ - fix the cause, then move it back to $RESYNC_SPOOL_DIR to resend"
}
