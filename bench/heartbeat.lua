-- heartbeat.lua — wrk script: each request is a heartbeat of the next playback session in this
-- thread's share of the sessions file ("token session" lines); position advances 5 s a hit.
--   wrk … -s bench/heartbeat.lua URL -- SESSIONS NTHREADS START_POS MODE
-- MODE "warm": every session gets one heartbeat at START_POS (after a gap: 200, credits 0 and
--   re-anchors), then the connections idle on GET /api/v1/health; so that the measured run that
--   follows finds every session anchored less than 60 s ago. When a thread has its answers it
--   creates the file $DX_WARM_DONE.ID; the script then stops wrk (SIGINT).
-- MODE "run": heartbeats from START_POS + 5 on. A session is never hit again sooner than DX_GAP s
--   (default 5.5; the server refuses < 5 s with 429): when the cycle through the sessions is shorter,
--   the thread waits ("paced" in the summary: then the member count, not the server, set the rate).
-- Every answer other than 200 is counted and reported; the bench fails on any.
local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } dx_timespec;
int clock_gettime(int clk, dx_timespec *ts);
int usleep(unsigned int usec);
]]
local tsbuf = ffi.new("dx_timespec")
local function mono()
  ffi.C.clock_gettime(1, tsbuf) -- CLOCK_MONOTONIC
  return tonumber(tsbuf.tv_sec) + tonumber(tsbuf.tv_nsec) * 1e-9
end

local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  nthreads = tonumber(args[2])
  start = tonumber(args[3] or "0")
  mode = args[4] or "run"
  gap = tonumber(os.getenv("DX_GAP") or "5.5")
  local f = assert(io.open(args[1]))
  toks, sids, pos, last = {}, {}, {}, {}
  local i = 0
  for line in f:lines() do
    if i % nthreads == id then
      local t, s = line:match("(%S+) (%S+)")
      table.insert(toks, t); table.insert(sids, s); table.insert(pos, start); table.insert(last, -1e9)
    end
    i = i + 1
  end
  f:close()
  k = 0; sent = 0; ok = 0; soon = 0; other = 0; credited = 0; paced = 0; waited = 0
end
lecture = os.getenv("DX_LECTURE") or "1"
function request()
  if mode == "warm" and sent >= #toks then
    return wrk.format("GET", "/api/v1/health")
  end
  k = k % #toks + 1
  local now = mono()
  local wait = last[k] + gap - now
  if wait > 0 then
    paced = paced + 1; waited = waited + wait
    ffi.C.usleep(math.floor(wait * 1e6))
    now = mono()
  end
  last[k] = now
  if mode ~= "warm" then pos[k] = pos[k] + 5 end
  sent = sent + 1
  local body = '{"session":' .. sids[k] .. ',"position":' .. pos[k] .. ',"playing":true,"rate":1}'
  return wrk.format("POST", "/api/v1/lectures/" .. lecture .. "/heartbeat",
    {["Authorization"] = "Bearer " .. toks[k], ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if mode == "warm" and not flagged and ok + soon + other + 1 >= #toks then
    flagged = true
    local f = io.open((os.getenv("DX_WARM_DONE") or "/tmp/dx-warm") .. "." .. id, "w")
    if f then f:close() end
  end
  if status == 200 then
    ok = ok + 1
    credited = credited + (tonumber(body:match('"credited_s":([%d%.eE+-]+)')) or 0)
  elseif status == 429 then soon = soon + 1 else other = other + 1 end
end
function done(summary, latency, requests)
  local a, b, c, cr, s, p, w = 0, 0, 0, 0, 0, 0, 0
  for _, t in ipairs(threads) do
    a = a + t:get("ok"); b = b + t:get("soon"); c = c + t:get("other"); cr = cr + t:get("credited")
    s = s + t:get("sent"); p = p + t:get("paced"); w = w + t:get("waited")
  end
  io.write(string.format("answers: %d x 200, %d x 429, %d other\n", a, b, c))
  io.write(string.format("heartbeats sent: %d\n", s))
  io.write(string.format("credited: %.0f\n", cr))
  io.write(string.format("paced: %d waits, %.1f s\n", p, w))
end
