-- Shared by phone_lookup, ticket_list and ticket_create: arguments, the bearer token and a latency
-- report (p50/p90/p99 and the share of non-2xx answers).
-- Arguments after "--": TOKEN CUSTOMERS OUTLETS
local M = {}

function M.args(args)
  M.token = args[1] or os.getenv("BENCH_TOKEN") or ""
  M.customers = tonumber(args[2] or os.getenv("BENCH_CUSTOMERS") or "300000")
  M.outlets = tonumber(args[3] or os.getenv("BENCH_OUTLETS") or "2000")
  wrk.headers["Authorization"] = "Bearer " .. M.token
  wrk.headers["Content-Type"] = "application/json"
end

-- The phone of scale customer id (demo.custScalePhone): the prefix cycles
-- through the scale prefixes, the last eight digits are a bijection of id/16.
local prefixes = {"145", "147", "162", "165", "167", "171", "172", "173", "175", "176", "178", "192", "193", "195", "196", "197"}
function M.phone(id)
  local k = #prefixes
  local x = (math.floor(id / k) * 48271 + 12345) % 100000000
  return prefixes[(id % k) + 1] .. string.format("%08d", x)
end

function M.report(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("requests %d in %.1fs: %.0f req/s; latency p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms; errors %d (non-2xx %d)\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000,
    errors, summary.errors.status))
end

return M
