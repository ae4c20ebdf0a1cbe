//! Password check with arbitrary strings under every preset.
//!
//! Fields: password, user ID, e-mail, one site blocklist entry. Under each
//! preset, `regcore_fuzz::policy::check_all` asserts the invariants (codes
//! listed by `describe()`, length verdicts, blocklist and user-ID matches,
//! determinism).
#![no_main]

use libfuzzer_sys::fuzz_target;
use regcore::policy::PasswordPolicy;
use regcore_fuzz::fields;
use regcore_fuzz::policy::check_all;

fuzz_target!(|data: &[u8]| {
    let [password, user_id, email, listed] = fields::<4>(data);
    let listed = if listed.is_empty() {
        Vec::new()
    } else {
        vec![listed]
    };
    for name in PasswordPolicy::preset_names() {
        let policy = PasswordPolicy::preset(name).expect("every listed preset exists");
        check_all(&policy, &password, &user_id, &email, &listed);
    }
});
