-- One conditional write of one row key, atomic because Redis runs a script without interleaving.
-- KEYS[1]  the row's hash
-- ARGV[1]  the condition: 'a' always; 'f' stored event time before ARGV[2] (a fence);
--          'l' stored event time before ARGV[2] (newest wins; equal times are a tie, decided by
--          the client); 'e' the stored hash equals the ARGV[3] field/value pairs that follow
--          (ARGV[3] = -1: the key is absent)
-- ARGV[2]  epoch microseconds for 'f' and 'l' (signed decimal text: Lua numbers are doubles
--          and would round the microseconds of far dates, so they are compared as text)
-- then     the new field/value pairs; none: delete the key
-- Returns  1 applied, 0 not permitted, 2 tie on the event time, 3 the hash is not the expected one
local key = KEYS[1]
local kind = redis.call('TYPE', key)['ok']
local exists = kind ~= 'none'
if exists and kind ~= 'hash' then
  return redis.error_reply('WRONGLAYOUT ' .. key .. ' is a ' .. kind .. ', not a hash')
end
local stored = false
if exists then
  stored = redis.call('HGET', key, '@event_time')
  if not stored then
    return redis.error_reply('WRONGLAYOUT ' .. key .. ' has no field @event_time')
  end
end

local function compare(a, b)
  local negA = string.sub(a, 1, 1) == '-'
  local negB = string.sub(b, 1, 1) == '-'
  if negA ~= negB then
    if negA then return -1 end
    return 1
  end
  local c = 0
  if #a ~= #b then
    if #a < #b then c = -1 else c = 1 end
  elseif a ~= b then
    if a < b then c = -1 else c = 1 end
  end
  if negA then return -c end
  return c
end

local condition = ARGV[1]
local expected = tonumber(ARGV[3])
local first = 4
if condition == 'f' then
  if exists and compare(stored, ARGV[2]) >= 0 then return 0 end
elseif condition == 'l' then
  if exists then
    local c = compare(stored, ARGV[2])
    if c > 0 then return 0 end
    if c == 0 then return 2 end
  end
elseif condition == 'e' then
  if expected < 0 then
    if exists then return 3 end
  else
    if not exists or redis.call('HLEN', key) ~= expected then return 3 end
    for j = 0, expected - 1 do
      if redis.call('HGET', key, ARGV[first + 2 * j]) ~= ARGV[first + 2 * j + 1] then return 3 end
    end
    first = first + 2 * expected
  end
end

if exists then
  redis.call('DEL', key)
end
if #ARGV >= first then
  redis.call('HSET', key, unpack(ARGV, first))
end
return 1
