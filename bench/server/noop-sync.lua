-- noop-sync.lua — wrk script: a sync with nothing to push and nothing new
--
-- Copyright 2026 The Milk Diary authors
-- SPDX-License-Identifier: GPL-3.0-or-later
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("MILK_BENCH_TOKEN")
wrk.body = '{"cursor":"' .. os.getenv("MILK_BENCH_CURSOR") .. '","node":"00000000000000be","changes":[]}'

done = function (summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read
                 + summary.errors.write + summary.errors.timeout
  io.write(string.format("RESULT requests=%d seconds=%.3f p50_us=%d p99_us=%d errors=%d\n",
                         summary.requests, summary.duration / 1e6,
                         latency:percentile(50), latency:percentile(99), errors))
end
