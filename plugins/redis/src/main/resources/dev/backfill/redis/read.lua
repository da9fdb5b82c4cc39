-- The hashes of many row keys in one call (in a cluster, keys of one slot), so that the cost of
-- a command is shared: per key its field/value pairs, empty when the key is absent, or the
-- text 'WRONGTYPE' for a key that holds another type than a hash.
local out = {}
for k = 1, #KEYS do
  local hash = redis.pcall('HGETALL', KEYS[k])
  if type(hash) == 'table' and hash.err then
    out[k] = 'WRONGTYPE'
  else
    out[k] = hash
  end
end
return out
