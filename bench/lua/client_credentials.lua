-- wrk script: POST /oauth2/token with the client-credentials grant, the application
-- authenticating with HTTP Basic. BASIC is base64("<application id>:<API key>"), from the
-- environment.
local basic = os.getenv("BASIC")

wrk.method = "POST"
wrk.path = "/oauth2/token"
wrk.body = "grant_type=client_credentials"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = "Basic " .. basic
