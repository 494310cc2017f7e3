-- The agent's screen-pop: GET /api/v1/customers?phone=… for a random scale
-- customer (customer, units with warranty, open tickets).
-- hotline.lua sits next to this script.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = package.path .. ";" .. here .. "?.lua"
local c = require("hotline")

function init(args) c.args(args) end

function request()
  local id = math.random(1, c.customers)
  return wrk.format("GET", "/api/v1/customers?phone=" .. c.phone(id))
end

done = c.report
