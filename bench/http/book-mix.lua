-- wrk: the book's load mix, four reads to one add, over 1,000 lists, on the book's own
-- routes (/entries and /add_entry). The token comes from TODO_TOKEN.
local headers = {["Authorization"] = "Bearer " .. os.getenv("TODO_TOKEN")}
local counter = 0

function setup(thread)
  thread:set("offset", math.random(0, 999))
end

function request()
  counter = counter + 1
  local list = "book-" .. ((counter * 7 + offset) % 1000)
  if counter % 5 == 0 then
    return wrk.format("POST", "/add_entry?list=" .. list .. "&date=2018-12-19&title=Dentist", headers)
  end
  return wrk.format("GET", "/entries?list=" .. list .. "&date=2018-12-19", headers)
end

function response(status)
  if status ~= 200 then error("answered " .. status) end
end
