-- wrk script: POST /api/v1/companies with a new valid CNPJ and name on every request.
-- OWNER_TOKEN comes from the environment; each wrk thread numbers its own companies, and
-- RUN (1 to 99) keeps the numbers of successive wrk runs over one database apart.
local token = os.getenv("OWNER_TOKEN")
local run = tonumber(os.getenv("RUN") or "0")
local threads = 0
local tid = 0
local n = 0

function setup(thread)
    threads = threads + 1
    thread:set("tid", threads)
end

function init(args)
    tid = tonumber(wrk.thread:get("tid")) or 0
end

-- The 14-digit CNPJ of a 12-digit base: two mod-11 check digits.
local function cnpj(base)
    local s = string.format("%012d", base)
    local d = {}
    for i = 1, 12 do d[i] = tonumber(s:sub(i, i)) end
    local function check(len)
        local sum, w = 0, len - 7
        for i = 1, len do
            sum = sum + d[i] * w
            w = w - 1
            if w < 2 then w = 9 end
        end
        local r = sum % 11
        return r < 2 and 0 or 11 - r
    end
    d[13] = check(12)
    d[14] = check(13)
    return s .. d[13] .. d[14]
end

function request()
    n = n + 1
    local id = run * 1000000000 + tid * 10000000 + n
    local body = string.format('{"legal_name":"Empresa %d Ltda","cnpj":"%s"}', id, cnpj(id))
    return wrk.format("POST", "/api/v1/companies", {
        ["Authorization"] = "Bearer " .. token,
        ["Content-Type"] = "application/json",
    }, body)
end
