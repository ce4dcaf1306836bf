# Sourced by the fakes: CALLS becomes how many times this fake ran before (0 on the first run),
# so cumulative counters grow by a fixed step per reading and rates are known exactly.
fake_name=${0##*/}
fake_calls_file="${FAKE_STATE:?FAKE_STATE must name a directory}/$fake_name.calls"
CALLS=$(cat "$fake_calls_file" 2>/dev/null || echo 0)
echo $((CALLS + 1)) >"$fake_calls_file"
