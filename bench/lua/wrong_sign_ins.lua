-- wrk script: POST /api/v1/auth/login with a wrong password for a new address from a new IP on
-- every request (the server trusts X-Forwarded-For in this bench), so the lock-out counters never
-- answer early and every attempt costs a full argon2id verification.
local n = 0
local tid = 0
local threads = 0

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    tid = tonumber(wrk.thread:get("tid")) or 0
end

function request()
    n = n + 1
    local ip = string.format("10.%d.%d.%d", tid, math.floor(n / 250) % 250, n % 250)
    local body = string.format('{"email":"nobody-%d-%d@storm.test","password":"wrong-password-%d"}', tid, n, n)
    return wrk.format("POST", "/api/v1/auth/login", {
        ["Content-Type"] = "application/json",
        ["X-Forwarded-For"] = ip,
    }, body)
end
