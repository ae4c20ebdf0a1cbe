-- sha1 f6cc6f32bd533df3a599e232100533a7918d4f1e
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
if ARGV[5] and ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if math.abs(ms - tonumber(ARGV[4])) > tonumber(ARGV[5]) then return {2, ms} end
end
if cur ~= ARGV[1] then return {0, cur} end
if ARGV[2] == '' then
  redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
return {1}
-- key regcore:lockout:{alice}
-- key regcore:lockout:{%7D%7B%25}
-- key regcore:code:{sign_upu@example.jp}
-- key regcore:session:{3f2a}
