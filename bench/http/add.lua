-- wrk: POST /api/v1/lists/{list}/entries over 1,000 lists, as todo-bench's add workload does
-- over its lists. The token comes from TODO_TOKEN.
local token = os.getenv("TODO_TOKEN")
local headers = {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}
local body = '{"date": "2026-12-02", "title": "tttttttttttttttttttttttttttttt"}'
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, 999))
end

function request()
  counter = counter + 1
  local list = "http-add-" .. ((counter + offset) % 1000)
  return wrk.format("POST", "/api/v1/lists/" .. list .. "/entries", headers, body)
end

function response(status)
  if status ~= 201 then error("add answered " .. status) end
end
