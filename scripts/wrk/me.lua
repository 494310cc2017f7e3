-- GET /api/v1/me with a bearer token passed in the TOKEN environment variable.
wrk.method = "GET"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
