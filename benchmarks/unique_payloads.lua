-- wrk script: every request a distinct sample (workstation × timestamp), the seed's metrics.
local counter = 0
local base = os.time() - 120
local thread_id = 0

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local workstation = string.format("R%sT%02dW%04d", os.getenv("RESYNC_BENCH_RUN"), thread_id,
    counter % 1000)
  local moment = os.date("!%Y-%m-%dT%H:%M:%SZ", base - math.floor(counter / 1000))
  local body = string.format(
    '{"workstation":"%s","timestamp":"%s","metrics":{"cpu_percent":45.2,"memory_percent":62.8,'
    .. '"disk_percent":78.5,"latency_min_ms":2.1,"latency_avg_ms":5.3,"latency_max_ms":12.7,'
    .. '"packet_loss_percent":0.5,"tcp_connectivity":1,"disk_io_read_kbs":1250,'
    .. '"disk_io_write_kbs":850,"process_count":245,"load_avg_1":2.15,"load_avg_5":1.98,'
    .. '"load_avg_15":1.82,"network_rx_kbs":125,"network_tx_kbs":89}}',
    workstation, moment)
  return wrk.format("POST", "/api/v1/metrics/workstation",
    {["Content-Type"] = "application/json", ["X-API-Key"] = os.getenv("RESYNC_BENCH_KEY")}, body)
end
