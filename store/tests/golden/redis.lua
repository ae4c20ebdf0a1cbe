-- sha1 6de3030aac12348824e233bec71dd0b05347691c
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
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
