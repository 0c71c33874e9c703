-- wrk script of the benchmark suite (bench/lib/wrk.ts writes the environment it reads).
--   BENCH_METHOD, BENCH_PATH   the request line
--   BENCH_HEADERS              "name: value" lines separated by \n
--   BENCH_BODY                 request body; every "{{n}}" becomes a per-request counter (then each
--                              request is formatted anew, e.g. distinct metric steps)
--   BENCH_LIMIT                stop after this many responses (fixed request count); the run's
--                              -d duration stays the upper time bound
-- done() prints one JSON line with exact microsecond percentiles from wrk's histogram.
local method = os.getenv("BENCH_METHOD") or "GET"
local path = os.getenv("BENCH_PATH") or "/"
local body = os.getenv("BENCH_BODY")
if body == "" then body = nil end
local limit = tonumber(os.getenv("BENCH_LIMIT") or "0")
local headers = {}
for line in string.gmatch(os.getenv("BENCH_HEADERS") or "", "[^\n]+") do
  local name, value = string.match(line, "^([^:]+):%s*(.*)$")
  if name then headers[name] = value end
end

wrk.method = method
wrk.path = path
wrk.headers = headers
wrk.body = body

if body and string.find(body, "{{n}}", 1, true) then
  local n = 0
  request = function()
    n = n + 1
    local b = string.gsub(body, "{{n}}", tostring(n))
    return wrk.format(method, path, headers, b)
  end
end

local count = 0
local stopped = false
response = function(status, hdrs, resp)
  count = count + 1
  if limit > 0 and count >= limit and not stopped then
    stopped = true
    wrk.thread:stop()
    -- wrk's main thread sleeps for -d; SIGINT ends that sleep and runs done() at once. system()
    -- ignores SIGINT while its child runs, so the signal is sent from a detached subshell.
    os.execute("p=$PPID; (sleep 0.005; kill -INT $p) >/dev/null 2>&1 &")
  end
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\nBENCH_RESULT {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"mean":%.1f,"stdev":%.1f,"min":%d,"max":%d,"p50":%d,"p90":%d,"p99":%d,"p999":%d}}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency.mean, latency.stdev, latency.min, latency.max,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9)))
end
