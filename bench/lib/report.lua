-- wrk script: POST /api/v1/report with 20 observations, from HOSTS hosts in turn, each request a
-- new report (its own sentAt), so nothing is deduplicated away, with tags as the sender sends them.
local counter = 0
thread_id = 0
local hosts = tonumber(os.getenv("HOSTS") or "1000")
local token = os.getenv("TOKEN")
local base = os.time() - 3600

function setup(thread)
  thread:set("thread_id", thread_id)
  thread_id = thread_id + 1
end

function request()
  counter = counter + 1
  local n = counter * 16 + thread_id
  local host = "host-" .. (n % hosts)
  local step = math.floor(n / hosts)
  local t = base + step * 0.001
  local sent = os.date("!%Y-%m-%dT%H:%M:%S", math.floor(t)) .. string.format(".%03dZ", math.floor((t % 1) * 1000 + 0.5) % 1000)
  local obs = {}
  obs[1] = string.format('{"name":"memory","kind":"memory","value":%.2f,"unit":"%%"}', 30 + n % 50)
  for i = 2, 20 do
    obs[i] = string.format('{"name":"disk:/srv/%d","kind":"disk","value":%d,"unit":"%%","details":{"mountPoint":"/srv/%d","fsType":"ext4"}}', i, (n + i) % 100, i)
  end
  local body = string.format('{"version":1,"host":"%s","sentAt":"%s","sender":"bench","tags":["bench","eu"],"observations":[%s]}', host, sent, table.concat(obs, ","))
  return wrk.format("POST", "/api/v1/report", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
