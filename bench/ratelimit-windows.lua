-- wrk script of bench/ratelimit.sh: counts responses per fixed window of RL_PERIOD seconds, aligned on Unix time
-- like the gateway's windows: 2xx (admitted), 429 (limited), other.
-- done() prints one line per window: "window W ok N limited N other N".
--
-- A response counts in the window the gateway decided it in, not the one it arrived in: a request admitted just
-- before a window ends can arrive just after, and counted by arrival it would seem to overfill the next window.
-- The gateway's RateLimit header says how many seconds were left of the decision's window, rounded up (t): decided
-- at d in the window ending at E, t = ceil(E - d), so d + t is in [E, E + 1). Arriving at a >= d, with os.time()
-- = floor(a) > a - 1, floor(a) + 1 + t lies in (E, E + 2 + latency): within the period after E, so it names E.
-- Only admitted responses are placed so: on a refusal t can be 0 (no lease to say when the window ends), and refusals
-- count by the second they arrived, as does an admitted response without the header.
local period = tonumber(os.getenv("RL_PERIOD") or "10")
local threads = {}

local function decision_window(headers)
    local value = headers["RateLimit"] or headers["ratelimit"]
    local t = value and tonumber(string.match(value, ";t=(%d+)"))
    if t then
        return math.floor((os.time() + 1 + t) / period) - 1
    end

    return math.floor(os.time() / period)
end

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    ok, limited, other = {}, {}, {}
end

function response(status, headers, body)
    local w = math.floor(os.time() / period)
    if status >= 200 and status < 300 then
        w = decision_window(headers)
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
