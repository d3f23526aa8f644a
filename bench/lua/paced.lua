-- wrk script: each connection waits a few milliseconds after every answer (PACE_MS, default 2),
-- so the read runs at a steady rate well below what the machine can serve, the way an
-- application reads, rather than as fast as the machine allows.
local pace = tonumber(os.getenv("PACE_MS") or "2")

function delay()
    return pace
end
