//! PHC strings: `verify_password` and `needs_rehash` with arbitrary strings,
//! and a hash → verify round trip at cheap parameters.
//!
//! Fields: PHC string, password. Strings whose `m`, `t` or `p` could make
//! Argon2 expensive (m > 64 KiB, t > 2, p > 8, or a value that does not
//! parse as a small number) are only given to `needs_rehash`, which
//! parses without hashing, so the target stays fast.
//!
//! Asserts: errors carry `hash.` codes; `verify_password` and
//! `needs_rehash` agree on what parses; a hash of the password verifies,
//! a different password does not, and a fresh hash at the requested
//! parameters needs no rehash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::Coded;
use regcore::hash::{HashParams, Pepper, hash_password, needs_rehash, verify_password};
use regcore_fuzz::{assert_coded, fields};

const CHEAP: HashParams = HashParams {
    memory_kib: 8,
    iterations: 1,
    parallelism: 1,
};

/// True when every `m=`, `t=` and `p=` in the string is cheap. PHC's B64
/// never contains `=`, so every `name=value` pair is a parameter (or `v=`).
fn cheap(phc: &str) -> bool {
    let limit = |name: &str| match name {
        "m" => Some(64u64),
        "t" => Some(2),
        "p" => Some(8),
        _ => None,
    };
    for (i, _) in phc.match_indices('=') {
        let name = phc[..i].rsplit(['$', ',']).next().unwrap_or("");
        let Some(max) = limit(name) else { continue };
        let value = phc[i + 1..].split(['$', ',']).next().unwrap_or("");
        match value.parse::<u64>() {
            Ok(v) if v <= max => {}
            _ => return false,
        }
    }
    true
}

fuzz_target!(|data: &[u8]| {
    let [phc, password] = fields::<2>(data);

    let parsed = needs_rehash(&phc, &CHEAP);
    if let Err(e) = &parsed {
        assert_coded(e, &["hash."]);
    }
    if let Err(e) = needs_rehash(&phc, &HashParams::OWASP) {
        assert_eq!(parsed.as_ref().err().map(|p| p.code()), Some(e.code()));
    }
    if cheap(&phc) {
        let verified = verify_password(&password, &phc, None);
        match (&verified, &parsed) {
            (Err(e), _) => assert_coded(e, &["hash."]),
            (Ok(_), Err(e)) => panic!("verify accepted what needs_rehash refused: {e:?}"),
            (Ok(_), Ok(_)) => {}
        }
        if parsed.is_err() {
            assert!(verified.is_err());
        }
    }

    // Round trip at cheap parameters; the salt comes from the input.
    let mut salt = [0u8; 16];
    for (s, b) in salt.iter_mut().zip(phc.bytes()) {
        *s = b;
    }
    let params = HashParams {
        memory_kib: 8 + u32::from(salt[0] % 8),
        iterations: 1 + u32::from(salt[1] % 2),
        parallelism: 1,
    };
    let pepper = Pepper::new(&[0x5A; 16]).expect("16-byte pepper");
    let pepper = (salt[2] & 1 == 1).then_some(&pepper);
    match hash_password(&password, &salt, &params, pepper) {
        Ok(stored) => {
            assert!(stored.starts_with("$argon2id$v=19$"));
            assert_eq!(verify_password(&password, &stored, pepper), Ok(true));
            let mut other = password.clone();
            other.push('x');
            if other.len() <= regcore::hash::MAX_PASSWORD_BYTES {
                assert_eq!(verify_password(&other, &stored, pepper), Ok(false));
            }
            assert_eq!(needs_rehash(&stored, &params), Ok(false));
            assert_eq!(needs_rehash(&stored, &HashParams::OWASP), Ok(true));
        }
        Err(e) => {
            assert!(password.len() > regcore::hash::MAX_PASSWORD_BYTES);
            assert_coded(&e, &["hash.input_too_long"]);
        }
    }
});
