-- POST /api/v1/auth/login as the demo agent (each request creates a session).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"username":"agent","password":"' .. (os.getenv("AFTERSALES_DEMO_PASSWORD") or "demo123456") .. '"}'
