-- Shared done() printing requests/s and latency percentiles as one line.
function done(summary, latency, requests)
  io.write(string.format("RESULT requests/s=%.0f p50=%.2fms p99=%.2fms errors=%d non2xx=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout, summary.errors.status))
end
