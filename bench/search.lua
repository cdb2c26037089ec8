-- search.lua — wrk script: catalog searches cycling through Chinese phrases; prints p95.
-- the phrases: DX_TERMS names a file with one per line (bench/catalog.sh writes 16 vocabulary terms)
local qs = {}
for line in io.lines(os.getenv("DX_TERMS")) do table.insert(qs, line) end
table.insert(qs, "从严治")
local tok = os.getenv("DX_TOKEN")
local i = 0
local function enc(s) return (s:gsub("[^%w]", function(c) return string.format("%%%02X", string.byte(c)) end)) end
function request()
  i = i + 1
  return wrk.format("GET", "/api/v1/courses?q=" .. enc(qs[i % #qs + 1]), {["Authorization"] = "Bearer " .. tok})
end
function done(summary, latency, requests)
  io.write(string.format("p95: %.2f ms\n", latency:percentile(95) / 1000))
end
