-- The conditional writes of a batch of row keys, each key once, all atomic together because
-- Redis runs a script without interleaving. One call covers many keys (in a cluster, keys of one
-- slot), so the cost of a script call is shared.
-- compare(a, b): decimal.lua, which the store sends in front of this script.
-- KEYS     the row hashes
-- ARGV     per key, in the order of KEYS: the condition, its bound, the number of expected
--          field/value pairs (-1: the key must be absent), the number of new pairs (0: delete
--          the key), then the expected pairs and the new pairs. Conditions:
--          'a' always; 'f' the stored event time is before the bound (a fence);
--          'l' the stored event time is before the bound (newest wins; equal times are a tie,
--          decided by the client); 'e' the stored hash is exactly the expected pairs.
--          Bounds are epoch microseconds as signed decimal text: Lua numbers are doubles and
--          would round the microseconds of far dates, so they are compared as text.
-- Returns  per key: 1 applied, 0 not permitted, 2 tie on the event time, 3 the hash is not the
--          expected one, 4 the key holds another type, 5 a hash without @event_time. Keys of
--          4 and 5 are left alone.

local function apply(key, condition, bound, expected, expectedAt, new, newAt)
  local kind = redis.call('TYPE', key)['ok']
  local exists = kind ~= 'none'
  if exists and kind ~= 'hash' then return 4 end
  local stored = false
  if exists then
    stored = redis.call('HGET', key, '@event_time')
    if not stored then return 5 end
  end
  if condition == 'f' then
    if exists and compare(stored, bound) >= 0 then return 0 end
  elseif condition == 'l' then
    if exists then
      local c = compare(stored, bound)
      if c > 0 then return 0 end
      if c == 0 then return 2 end
    end
  elseif condition == 'e' then
    if expected < 0 then
      if exists then return 3 end
    else
      if not exists or redis.call('HLEN', key) ~= expected then return 3 end
      for j = 0, expected - 1 do
        if redis.call('HGET', key, ARGV[expectedAt + 2 * j]) ~= ARGV[expectedAt + 2 * j + 1] then return 3 end
      end
    end
  end
  if exists then
    redis.call('DEL', key)
  end
  if new > 0 then
    redis.call('HSET', key, unpack(ARGV, newAt, newAt + 2 * new - 1))
  end
  return 1
end

local results = {}
local at = 1
for k = 1, #KEYS do
  local expected = tonumber(ARGV[at + 2])
  local new = tonumber(ARGV[at + 3])
  local expectedAt = at + 4
  local newAt = expectedAt + 2 * math.max(expected, 0)
  results[k] = apply(KEYS[k], ARGV[at], ARGV[at + 1], expected, expectedAt, new, newAt)
  at = newAt + 2 * new
end
return results
