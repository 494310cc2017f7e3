-- Ticket creation: POST /api/v1/tickets for a random scale customer, with
-- an Idempotency-Key unique per request (as a form would send).
-- hotline.lua sits next to this script.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
package.path = package.path .. ";" .. here .. "?.lua"
local c = require("hotline")
local counter = 0
local thread_id = 0

function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end

function init(args)
  c.args(args)
  math.randomseed(os.time() + (tid or 0))
end

local types = {"repair", "repair", "installation", "consultation"}

function request()
  counter = counter + 1
  local body = string.format('{"channel":"phone","type":"%s","priority":"normal","customer_id":%d,"description":"压测工单：空调不制冷"}',
    types[math.random(1, #types)], math.random(1, c.customers))
  -- wrk.format uses the table given instead of wrk.headers: copy them.
  local headers = {}
  for k, v in pairs(wrk.headers) do headers[k] = v end
  headers["Idempotency-Key"] = string.format("wrk-%d-%d-%d", os.time(), tid or 0, counter)
  return wrk.format("POST", "/api/v1/tickets", headers, body)
end

done = c.report
