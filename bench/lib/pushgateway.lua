-- wrk script: the same 20 values per push to prometheus-pushgateway, one group per host.
local counter = 0
local hosts = tonumber(os.getenv("HOSTS") or "1000")

function request()
  counter = counter + 1
  local host = "host-" .. (counter % hosts)
  local lines = { string.format("memory_used_percent %.2f", 30 + counter % 50) }
  for i = 2, 20 do
    lines[i] = string.format('disk_used_percent{mount="/srv/%d",fstype="ext4"} %d', i, (counter + i) % 100)
  end
  return wrk.format("POST", "/metrics/job/bench/instance/" .. host, {["Content-Type"] = "text/plain"}, table.concat(lines, "\n") .. "\n")
end
