-- heartbeat.lua — wrk script: each request is a heartbeat of the next playback session in this
-- thread's share of bench/out sessions file ("token session" lines); position advances 5 s a hit.
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  nthreads = tonumber(args[2])
  local f = assert(io.open(args[1]))
  toks, sids, pos = {}, {}, {}
  local i = 0
  for line in f:lines() do
    if i % nthreads == id then
      local t, s = line:match("(%S+) (%S+)")
      table.insert(toks, t); table.insert(sids, s); table.insert(pos, 0)
    end
    i = i + 1
  end
  f:close()
  k = 0; ok = 0; soon = 0; other = 0; credited = 0
end
function request()
  k = k % #toks + 1
  pos[k] = pos[k] + 5
  local body = '{"session":' .. sids[k] .. ',"position":' .. pos[k] .. ',"playing":true,"rate":1}'
  return wrk.format("POST", "/api/v1/lectures/" .. lecture .. "/heartbeat",
    {["Authorization"] = "Bearer " .. toks[k], ["Content-Type"] = "application/json"}, body)
end
lecture = os.getenv("DX_LECTURE") or "1"
function response(status, headers, body)
  if status == 200 then
    ok = ok + 1
    credited = credited + (tonumber(body:match('"credited_s":([%d%.eE+-]+)')) or 0)
  elseif status == 429 then soon = soon + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c, cr = 0, 0, 0, 0
  for _, t in ipairs(threads) do a = a + t:get("ok"); b = b + t:get("soon"); c = c + t:get("other"); cr = cr + t:get("credited") end
  io.write(string.format("answers: %d x 200, %d x 429, %d other\n", a, b, c))
  io.write(string.format("credited: %.0f\n", cr))
end
