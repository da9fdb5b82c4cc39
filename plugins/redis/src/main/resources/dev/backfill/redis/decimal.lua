-- The prelude of write.lua and reconcile.lua (the store sends it in front of each, as one
-- script): compare(a, b) orders two signed decimal integers given as text, -1, 0 or 1. Event
-- times are epoch microseconds, and Lua numbers are doubles that would round the microseconds of
-- far dates, so they are compared as text: the sign, then the length, then the digits.

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

