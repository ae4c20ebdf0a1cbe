-- sha1 7e5d62ce9a82080cc1943a1176bd67b7a7808d4a
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
local token = string.match(ARGV[2], '\31([0-9a-f]+)')
if token and string.find(cur, '\31' .. token, 1, true) then return {1} end
if ARGV[5] and ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if math.abs(ms - tonumber(ARGV[4])) > tonumber(ARGV[5]) then return {2, ms} end
end
if cur ~= ARGV[1] then return {0, cur} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {1}
-- key regcore:lockout:{alice}
-- key regcore:lockout:{%7D%7B%25}
-- key regcore:code:{sign_upu@example.jp}
-- key regcore:session:{3f2a}
