-- One RateLimiter counter in Redis: Permits.acquire (Easegress's arithmetic), atomic for every
-- replica. Cycles count from Redis's own clock, so the replicas' clocks do not matter.
-- KEYS[1]: the counter (a hash: c = its cycle, t = permits handed out from that cycle's start)
-- ARGV: limitForPeriod, the period (microseconds), maxTokens (Permits.maxTokens)
-- Returns {1, wait} (permitted, after wait microseconds) or {0, retryAfter} (refused).
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local limit = tonumber(ARGV[1])
local period = tonumber(ARGV[2])
local maxTokens = tonumber(ARGV[3])
local cycle = math.floor(now / period)
local state = redis.call('HMGET', KEYS[1], 'c', 't')
local tokens = 0
if state[1] then
  tokens = math.max(0, tonumber(state[2]) - (cycle - tonumber(state[1])) * limit)
end
if tokens >= maxTokens then
  local freeCycle = cycle + math.floor((tokens - maxTokens) / limit) + 1
  return {0, freeCycle * period - now}
end
redis.call('HSET', KEYS[1], 'c', cycle, 't', tokens + 1)
-- Kept while a permit it handed out is still due, then Redis drops it.
redis.call('PEXPIRE', KEYS[1], math.ceil((math.floor(tokens / limit) + 2) * period / 1000))
if tokens < limit then
  return {1, 0}
end
return {1, (cycle + math.floor(tokens / limit)) * period - now}
