//! What the store sends to Redis: the key format, the compare-and-set
//! script and the TTL rule.
//!
//! Keys are `<prefix>:<kind>:{<id>}`. The id (a lockout key, a session id,
//! or a code's purpose and subject joined by U+001F) is the hash tag, so
//! each operation touches one slot of a Cluster. Inside the braces `%`, `{`
//! and `}` are percent-encoded (`%25`, `%7B`, `%7D`), so the tag is always
//! the whole id, is never empty (ids are never empty), and every client
//! computes the slot the server does.

use sha1::{Digest, Sha1};

use crate::Prefix;
use crate::sql::Table;

/// The compare-and-set, run by `EVALSHA` (or `EVAL` after `NOSCRIPT`).
/// `KEYS[1]`; `ARGV`: expected text (`''` = absent), new text (`''` =
/// delete), TTL in ms, the operation's `now` in ms and a tolerance in ms
/// (`''`: the caller's own clock, no guard). Returns `{1}` when written,
/// `{0, current}` when not (`current` is `''` when absent), `{2,
/// server_ms}` when the server's clock (`TIME`) is further than the
/// tolerance from `now`: nothing written, decide again on the server's time.
pub const CAS_SCRIPT: &str = "\
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
";

/// How far the operation's `now` may be from the store server's clock
/// before the server's is used instead (writes carry it; see
/// docs/storage.md ("Faults")).
pub const CLOCK_TOLERANCE_MS: i64 = 1_000;

/// Shortest TTL written: a state already past its expiry (a caller's clock
/// far behind) is kept a second rather than written without one.
pub const MIN_TTL_MS: u64 = 1_000;

/// The SHA-1 of [`CAS_SCRIPT`] in hex, as `EVALSHA` wants it.
#[must_use]
pub fn cas_sha() -> String {
    let digest = Sha1::digest(CAS_SCRIPT.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The TTL rule: the time from the operation's `now` to the state's
/// expiry, at least [`MIN_TTL_MS`]. Relative, so a Redis server whose
/// clock differs from the application's does not expire a key early.
#[must_use]
pub fn ttl_ms(expires_at_ms: i64, now_ms: i64) -> u64 {
    let left = expires_at_ms.saturating_sub(now_ms);
    u64::try_from(left).unwrap_or(0).max(MIN_TTL_MS)
}

/// The Redis key of one state cell.
#[must_use]
pub fn key(prefix: &Prefix, table: Table, address: &[&str]) -> String {
    let mut tag = String::new();
    for (i, part) in address.iter().enumerate() {
        if i > 0 {
            tag.push('\u{1f}');
        }
        for c in part.chars() {
            match c {
                '%' => tag.push_str("%25"),
                '{' => tag.push_str("%7B"),
                '}' => tag.push_str("%7D"),
                other => tag.push(other),
            }
        }
    }
    format!("{}:{}:{{{tag}}}", prefix.as_str(), table.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha_matches_the_script() {
        assert_eq!(cas_sha().len(), 40);
        assert_eq!(cas_sha(), cas_sha());
    }

    #[test]
    fn hash_tags_are_the_whole_id_and_never_hold_braces() {
        let p = Prefix::new("regcore").unwrap();
        assert_eq!(
            key(&p, Table::Lockout, &["alice"]),
            "regcore:lockout:{alice}"
        );
        assert_eq!(
            key(&p, Table::Lockout, &["}x{"]),
            "regcore:lockout:{%7Dx%7B}"
        );
        assert_eq!(
            key(&p, Table::Code, &["sign_up", "a%b"]),
            "regcore:code:{sign_up\u{1f}a%25b}"
        );
        // Distinct ids give distinct keys (the encoding is injective).
        assert_ne!(
            key(&p, Table::Lockout, &["%7B"]),
            key(&p, Table::Lockout, &["{"])
        );
    }

    #[test]
    fn ttl_is_relative_and_at_least_a_second() {
        assert_eq!(ttl_ms(10_000, 4_000), 6_000);
        assert_eq!(ttl_ms(1_000, 4_000), MIN_TTL_MS);
        assert_eq!(ttl_ms(i64::MAX, i64::MIN), u64::try_from(i64::MAX).unwrap());
    }
}
