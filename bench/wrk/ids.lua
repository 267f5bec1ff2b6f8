-- /id/organisation/{key} lookups over many keys (path prefix and key count from the environment).
local prefix = os.getenv("SIC_BENCH_ID_PREFIX") or "/id/organisation/org"
local count = tonumber(os.getenv("SIC_BENCH_ID_COUNT") or "1000")
local counter = 0
request = function()
  counter = counter + 1
  local path = string.format("%s%06d", prefix, (counter * 7919) % count)
  return wrk.format("GET", path, { ["Accept"] = "text/turtle" })
end
done = function(summary, latency, requests)
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests": %d, "seconds": %.3f, "rps": %.2f, "errors": %d, "non2xx": %d, "p50": %d, "p95": %d, "p99": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status, latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
