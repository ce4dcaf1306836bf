# shellcheck shell=sh
# Sending a fresh sample, replaying the spool through the batch endpoint, and holding samples
# while this FTA has no workstation name.

# Returns 0 when the spool is empty, 1 when a transient failure stopped the replay (what was
# not acknowledged stays spooled), 2 when the API refused the key or the URL.
replay_spool() {
    replay_batch=$RESYNC_STATE_DIR/batch.$$.json
    while :; do
        replay_chunk=$(spool_files | head -n "$RESYNC_BATCH_SIZE")
        [ -n "$replay_chunk" ] || return 0
        replay_count=$(printf '%s\n' "$replay_chunk" | awk 'END { print NR }')
        {
            printf '['
            replay_separator=""
            for replay_name in $replay_chunk; do
                printf '%s' "$replay_separator"
                cat "$RESYNC_SPOOL_DIR/$replay_name"
                replay_separator=","
            done
            printf ']\n'
        } >"$replay_batch"
        http_post "$RESYNC_API_URL/api/v1/metrics/workstation/batch" "$replay_batch"
        rm -f "$replay_batch"
        case $(classify_status "$http_status"):$http_status in
            delivered:*)
                for replay_name in $replay_chunk; do
                    rm -f "$RESYNC_SPOOL_DIR/$replay_name"
                done
                log INFO "replayed $replay_count spooled sample(s) (HTTP $http_status)" ;;
            transient:*)
                log WARN "replay stopped (HTTP $http_status: $(http_answer)); $(spool_files | awk 'END { print NR }') sample(s) stay spooled"
                return 1 ;;
            rejected:413 | rejected:422)
                # The batch is judged whole; sent one by one, only the bad sample is refused.
                log WARN "batch of $replay_count refused (HTTP $http_status); sending those samples one by one"
                for replay_name in $replay_chunk; do
                    send_spooled_sample "$replay_name" || return 1
                done ;;
            rejected:*)
                replay_first=$(printf '%s\n' "$replay_chunk" | head -n 1)
                reject_payload "$RESYNC_SPOOL_DIR/$replay_first" "$replay_first"
                log ERROR "replay stopped: the API refuses this agent (HTTP $http_status); the other samples stay spooled"
                return 2 ;;
        esac
    done
}

send_spooled_sample() {
    http_post "$RESYNC_API_URL/api/v1/metrics/workstation" "$RESYNC_SPOOL_DIR/$1"
    case $(classify_status "$http_status") in
        delivered) rm -f "$RESYNC_SPOOL_DIR/$1" ;;
        rejected) reject_payload "$RESYNC_SPOOL_DIR/$1" "$1" ;;
        transient)
            log WARN "replay stopped (HTTP $http_status: $(http_answer)); samples stay spooled"
            return 1 ;;
    esac
}

# Sends the sample in file $1 and returns the run's exit code. When older samples wait in the
# spool the new one joins them at the back, so the API receives every sample in order.
deliver_payload() {
    if [ -n "$(spool_files)" ]; then
        spool_payload "$1"
        replay_spool && return "$EXIT_OK"
        [ $? -eq 2 ] && return "$EXIT_REJECTED"
        return "$EXIT_TEMPORARY_FAILURE"
    fi
    http_post "$RESYNC_API_URL/api/v1/metrics/workstation" "$1"
    case $(classify_status "$http_status") in
        delivered)
            rm -f "$1"
            log INFO "sample delivered (HTTP $http_status)"
            return "$EXIT_OK" ;;
        transient)
            spool_payload "$1"
            log WARN "sample spooled: API unreachable or busy (HTTP $http_status: $(http_answer)); $(spool_files | awk 'END { print NR }') sample(s) waiting"
            return "$EXIT_TEMPORARY_FAILURE" ;;
        *)
            reject_payload "$1"
            return "$EXIT_REJECTED" ;;
    esac
}

# A sample taken while this FTA has no workstation name waits in spool/unnamed/ (bounded like
# the spool); returns the run's exit code.
hold_unnamed_sample() {
    mkdir -p "$RESYNC_SPOOL_DIR/unnamed"
    mv -f "$1" "$RESYNC_SPOOL_DIR/unnamed/$(next_spool_name)"
    enforce_bounds "$RESYNC_SPOOL_DIR/unnamed" unnamed/
    log WARN "sample kept in $RESYNC_SPOOL_DIR/unnamed/ ($(RESYNC_SPOOL_DIR=$RESYNC_SPOOL_DIR/unnamed spool_files | awk 'END { print NR }') waiting for a workstation name)"
    return "$EXIT_TEMPORARY_FAILURE"
}

# Once the FTA has a name, the samples kept without one join the spool, oldest first, under it.
release_unnamed_samples() {
    unnamed_dir=$RESYNC_SPOOL_DIR/unnamed
    unnamed_files=$(RESYNC_SPOOL_DIR=$unnamed_dir spool_files)
    [ -n "$unnamed_files" ] || return 0
    unnamed_temporary=$RESYNC_STATE_DIR/unnamed.$$
    for unnamed_name in $unnamed_files; do
        sed "s/^{\"workstation\": \"[^\"]*\"/{\"workstation\": \"$RESYNC_WORKSTATION\"/" \
            "$unnamed_dir/$unnamed_name" >"$unnamed_temporary" || return 0
        mv -f "$unnamed_temporary" "$RESYNC_SPOOL_DIR/$(next_spool_name)" || return 0
        rm -f "$unnamed_dir/$unnamed_name"
    done
    enforce_bounds "$RESYNC_SPOOL_DIR" spool
    log INFO "$(printf '%s\n' "$unnamed_files" | awk 'END { print NR }') sample(s) kept without a workstation name go as $RESYNC_WORKSTATION"
}
