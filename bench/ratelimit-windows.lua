-- wrk script of bench/ratelimit.sh: counts responses per fixed window of RL_PERIOD seconds, aligned on Unix time
-- like the gateway's windows, by the second each response arrived: 2xx (admitted), 429 (limited), other.
-- done() prints one line per window: "window W ok N limited N other N".
local period = tonumber(os.getenv("RL_PERIOD") or "10")
local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    ok, limited, other = {}, {}, {}
end

function response(status, headers, body)
    local w = math.floor(os.time() / period)
    if status >= 200 and status < 300 then
        ok[w] = (ok[w] or 0) + 1
    elseif status == 429 then
        limited[w] = (limited[w] or 0) + 1
    else
        other[w] = (other[w] or 0) + 1
    end
end

function done(summary, latency, requests)
    local windows = {}
    for _, thread in ipairs(threads) do
        for _, kind in ipairs({ "ok", "limited", "other" }) do
            for w, n in pairs(thread:get(kind)) do
                windows[w] = windows[w] or { ok = 0, limited = 0, other = 0 }
                windows[w][kind] = windows[w][kind] + n
            end
        end
    end
    for w, c in pairs(windows) do
        io.write(string.format("window %d ok %d limited %d other %d\n", w, c.ok, c.limited, c.other))
    end
end
