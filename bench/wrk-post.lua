-- wrk script for bench/emulator.mjs: POST BENCH_BODY as JSON with the dev token, tally the
-- statuses in each thread's Lua state, and print one machine-readable line in done():
--   BENCH {"requests":…,"errors":…,"duration_us":…,"p50_us":…,"p99_us":…,"statuses":{"200":…}}
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Auth-Token"] = "dev-token"
wrk.body = os.getenv("BENCH_BODY") or "{}"

local threads = {}
setup = function(thread) table.insert(threads, thread) end
statuses = {}
response = function(status) statuses[status] = (statuses[status] or 0) + 1 end
done = function(summary, latency)
  local all = {}
  for _, t in ipairs(threads) do
    for s, n in pairs(t:get("statuses")) do all[s] = (all[s] or 0) + n end
  end
  local parts = {}
  for s, n in pairs(all) do table.insert(parts, string.format('"%d":%d', s, n)) end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"errors":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s}}\n',
    summary.requests, e.connect + e.read + e.write + e.timeout, summary.duration,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
