-- wrk: GET /entries (the book's text route) of 1,000 lists of 100 entries each, which
-- bench/http-vs-zeromq.sh adds first. The token comes from TODO_TOKEN.
local headers = {["Authorization"] = "Bearer " .. os.getenv("TODO_TOKEN")}
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, 999))
end

function request()
  counter = counter + 1
  local list = "read-" .. ((counter + offset) % 1000)
  return wrk.format("GET", "/entries?list=" .. list .. "&date=2026-12-02", headers)
end

function response(status)
  if status ~= 200 then error("read answered " .. status) end
end
