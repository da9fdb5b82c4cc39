-- The online reconciliation's writes (OnlineStore.writeChanged) of a batch of row keys: each key
-- brought to its target in one atomic step that reads the stored hash, checks the condition,
-- and writes only when the hash is not already the target. So the reconciliation needs no read
-- pass of its own, and an unchanged key is neither rewritten nor counted. One call covers many
-- keys (in a cluster, keys of one slot), so that the cost of a script call is shared.
-- compare(a, b): decimal.lua, which the store sends in front of this script.
-- KEYS     the row hashes
-- ARGV     the condition of every key of the call and its bound: 'a' always; 'f' the stored
--          event time is before the bound (a fence), compared as signed decimal text because
--          Lua numbers are doubles and would round the microseconds of far dates. Then the
--          number m of field names and the names, @event_time first: names are sent once a call,
--          not once a key. Then per key, in the order of KEYS: a mask of m characters ('1' the
--          field is present, '0' absent; empty: delete the key), then the values of the
--          present fields in the order of the names.
-- Returns  per key: 1 set, 7 deleted, 6 already the target (nothing done), 0 refused by the
--          fence, 4 the key holds another type, 5 a hash without @event_time. Keys of 4 and 5
--          are left alone.

local condition, bound = ARGV[1], ARGV[2]
local m = tonumber(ARGV[3])
local names = {}
for i = 1, m do
  names[i] = ARGV[3 + i]
end

-- For a key that is not there, the answer is known without reading it: one EXISTS over the
-- call's keys spares a read a key when none is there (a first backfill, new entities).
local anyStored = redis.call('EXISTS', unpack(KEYS)) > 0

local function apply(key, fields)
  local hash = false
  if anyStored then
    -- pcall turns the WRONGTYPE error of a key of another type into a value.
    hash = redis.pcall('HGETALL', key)
    if hash.err then return 4 end
    if #hash == 0 then hash = false end
  end
  if not hash then
    if #fields == 0 then return 6 end
    redis.call('HSET', key, unpack(fields))
    return 1
  end
  local stored = {}
  for i = 1, #hash, 2 do
    stored[hash[i]] = hash[i + 1]
  end
  local storedTime = stored['@event_time']
  if not storedTime then return 5 end
  if condition == 'f' and compare(storedTime, bound) >= 0 then return 0 end
  if #fields == 0 then
    redis.call('DEL', key)
    return 7
  end
  if #hash == #fields then
    local same = true
    for j = 1, #fields, 2 do
      if stored[fields[j]] ~= fields[j + 1] then
        same = false
        break
      end
    end
    if same then return 6 end
  end
  redis.call('DEL', key)
  redis.call('HSET', key, unpack(fields))
  return 1
end

local results = {}
local at = 4 + m
for k = 1, #KEYS do
  local mask = ARGV[at]
  at = at + 1
  local fields = {}
  for i = 1, #mask do
    if string.byte(mask, i) == 49 then
      fields[#fields + 1] = names[i]
      fields[#fields + 1] = ARGV[at]
      at = at + 1
    end
  end
  results[k] = apply(KEYS[k], fields)
end
return results
