-- An outlet's queue: first page of tickets filtered by status and outlet,
-- GET /api/v1/tickets?status=…&outlet_id=…&size=50.
-- hotline.lua sits next to this script.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = package.path .. ";" .. here .. "?.lua"
local c = require("hotline")
local statuses = {"in_progress", "closed", "assigned", "resolved"}

function init(args) c.args(args) end

function request()
  local outlet = math.random(1, c.outlets)
  local status = statuses[math.random(1, #statuses)]
  return wrk.format("GET", "/api/v1/tickets?status=" .. status .. "&outlet_id=" .. outlet .. "&size=50")
end

done = c.report
