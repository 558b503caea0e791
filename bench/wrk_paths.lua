-- wrk script for bench/throughput.py: rotates over the paths given after `--`, counts the answers that
-- are not 2xx (wrk itself only counts those outside 2xx and 3xx), and prints one JSON line at the end.
local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  paths = args
  non2xx = 0
  -- Each thread starts at a different path, so that every path is requested from the start.
  i = id % #paths
end

function request()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

function done(summary, latency, requests)
  local non = 0
  for _, thread in ipairs(threads) do
    non = non + thread:get("non2xx")
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "non2xx": %d, ' ..
    '"socket_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), non,
    e.connect + e.read + e.write, e.timeout))
end
