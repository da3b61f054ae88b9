-- bench/graphql/post.lua: wrk script for bench/graphql.sh. POSTs the JSON
-- body in the file $BODY_FILE, with "Authorization: Bearer $TOKEN" when
-- TOKEN is set, and counts the responses that are not 2xx and the 2xx
-- ones whose body carries GraphQL errors. done() prints one line,
--   gqlbench requests=N rps=R p50_ms=A p99_ms=B non2xx=C gqlerrors=D sockerrors=E
-- that bench/graphql.sh reads (wrk's own report is printed above it).

local function slurp(path)
  local f = assert(io.open(path, "rb"), "cannot open BODY_FILE " .. tostring(path))
  local s = f:read("*a")
  f:close()
  return s
end

wrk.method = "POST"
wrk.body = slurp(os.getenv("BODY_FILE"))
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  non2xx = 0
  gqlerrors = 0
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif body and string.find(body, '"errors":', 1, true) then
    gqlerrors = gqlerrors + 1
  end
end

function done(summary, latency, requests)
  local n2, ge = 0, 0
  for _, t in ipairs(threads) do
    n2 = n2 + t:get("non2xx")
    ge = ge + t:get("gqlerrors")
  end
  local e = summary.errors
  local sockerrors = e.connect + e.read + e.write + e.timeout
  io.write(string.format(
    "gqlbench requests=%d rps=%.2f p50_ms=%.3f p99_ms=%.3f non2xx=%d gqlerrors=%d sockerrors=%d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, n2, ge, sockerrors))
end
