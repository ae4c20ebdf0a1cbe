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
/// `KEYS[1]`; `ARGV`: expected value (`''` = absent), new value, TTL in ms,
/// the operation's `now` in ms and a tolerance in ms (`''`: the caller's
/// own clock, no guard). Returns `{1}` when written, `{0, current}` when
/// not (`current` is `''` when absent), `{2, server_ms}` when the server's
/// clock (`TIME`) is further than the tolerance from `now`: nothing
/// written, decide again on the server's time.
///
/// Every value the protocol writes carries its operation's write token
/// and the tokens of the [`TOKENS_KEPT`]` - 1` writes before it
/// ([`stored_value`]). A cell whose value already carries the new value's
/// token holds *this* write: the command ran, its reply was lost and the
/// driver sent it again (redis-py's default client does). That is answered
/// `{1}` before anything else, so a re-sent write counts once, even when
/// other writes came in between (up to [`TOKENS_KEPT`]` - 1` of them). A
/// deletion writes a tombstone (a value with an empty state) kept for
/// [`TOMBSTONE_TTL_MS`], so a re-sent deletion is recognised too.
pub const CAS_SCRIPT: &str = "\
local cur = redis.call('GET', KEYS[1])
if not cur then cur = '' end
local token = string.match(ARGV[2], '\\31([0-9a-f]+)')
if token and string.find(cur, '\\31' .. token, 1, true) then return {1} end
if ARGV[5] and ARGV[5] ~= '' then
  local t = redis.call('TIME')
  local ms = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if math.abs(ms - tonumber(ARGV[4])) > tonumber(ARGV[5]) then return {2, ms} end
end
if cur ~= ARGV[1] then return {0, cur} end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return {1}
";

/// What separates a stored state from the write tokens, and the tokens
/// from each other (U+001F, which no state text holds).
pub const TOKEN_SEPARATOR: char = '\u{1f}';

/// How many write tokens a value carries: its own and those of the writes
/// before it, so a re-sent write is recognised after up to this many
/// minus one later writes to the same cell.
pub const TOKENS_KEPT: usize = 8;

/// How long a deletion's tombstone is kept: long enough for a driver's
/// re-sends of the deletion to be recognised (redis-py's default backs off
/// for seconds), short enough that it costs nothing.
pub const TOMBSTONE_TTL_MS: u64 = 60_000;

/// The value a write stores: the state text (`None`: a tombstone), the
/// write's token, then the newest tokens of the value it replaces
/// (`previous`), [`TOKENS_KEPT`] in all.
#[must_use]
pub fn stored_value(state: Option<&str>, token: &str, previous: Option<&str>) -> String {
    let mut value = String::from(state.unwrap_or(""));
    value.push(TOKEN_SEPARATOR);
    value.push_str(token);
    let earlier = previous
        .and_then(|p| p.split_once(TOKEN_SEPARATOR))
        .map(|(_state, tokens)| tokens.split(TOKEN_SEPARATOR))
        .into_iter()
        .flatten()
        .filter(|t| !t.is_empty())
        .take(TOKENS_KEPT.saturating_sub(1));
    for t in earlier {
        value.push(TOKEN_SEPARATOR);
        value.push_str(t);
    }
    value
}

/// The state a stored value holds: the text before the tokens (`None` for
/// a tombstone). A value without tokens (written by hand, or by a version
/// before tokens) is all state.
#[must_use]
pub fn stored_state(value: &str) -> Option<&str> {
    let state = value
        .split_once(TOKEN_SEPARATOR)
        .map_or(value, |(state, _tokens)| state);
    Some(state).filter(|s| !s.is_empty())
}

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
    fn stored_values_carry_the_tokens_and_give_back_the_state() {
        let v = stored_value(Some("l1.3"), "00ff", None);
        assert_eq!(v, "l1.3\u{1f}00ff");
        assert_eq!(stored_state(&v), Some("l1.3"));
        let w = stored_value(Some("l1.4"), "0a0a", Some(&v));
        assert_eq!(w, "l1.4\u{1f}0a0a\u{1f}00ff");
        let tomb = stored_value(None, "0b0b", Some(&w));
        assert_eq!(tomb, "\u{1f}0b0b\u{1f}0a0a\u{1f}00ff");
        assert_eq!(stored_state(&tomb), None);
        assert_eq!(stored_state("l1.3"), Some("l1.3"));
        assert_eq!(stored_state(""), None);
        // A value written without tokens keeps none.
        assert_eq!(stored_value(Some("x"), "01", Some("l1.3")), "x\u{1f}01");
        // At most TOKENS_KEPT tokens: the oldest drop off.
        let mut value = stored_value(Some("s"), "t0", None);
        for i in 1..20 {
            value = stored_value(Some("s"), &format!("t{i}"), Some(&value));
        }
        let tokens: Vec<&str> = value.split('\u{1f}').skip(1).collect();
        assert_eq!(tokens.len(), TOKENS_KEPT);
        assert_eq!(tokens.first(), Some(&"t19"));
        assert_eq!(tokens.last(), Some(&"t12"));
    }

    #[test]
    fn ttl_is_relative_and_at_least_a_second() {
        assert_eq!(ttl_ms(10_000, 4_000), 6_000);
        assert_eq!(ttl_ms(1_000, 4_000), MIN_TTL_MS);
        assert_eq!(ttl_ms(i64::MAX, i64::MIN), u64::try_from(i64::MAX).unwrap());
    }
}
