//! Criterion benchmarks: every derivation and check (benches/report.py
//! prints the table; benches/compare.py runs two builds side by side).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};

fn identifiers(c: &mut Criterion) {
    let mut g = c.benchmark_group("identifiers");
    g.bench_function("mpr_id_parse", |b| {
        b.iter(|| regcore::MprId::parse(black_box("０１２３-4567-89ab-CDEF")))
    });
    g.finish();
}

fn keys(c: &mut Criterion) {
    use regcore::activation::ActivationAuthority;
    use regcore::keycode::KeyCode;
    use regcore::keys::{Device, GatewayPassword, MasterSecret};
    use regcore::regkey::RegistrationKey;
    use regcore::{ActivationNumber, GatewayId, MprId, UpsSerial};

    let master = MasterSecret::new(1, &[0x42; 32]).unwrap();
    let serial = UpsSerial::parse("BX50F-1234567").unwrap();
    let gateway = GatewayId::parse("01AB12345678").unwrap();
    let mpr = MprId::parse("0123-4567-89AB-CDEF").unwrap();
    let terminal_key = master.device_key(Device::Terminal(mpr));
    let ups_key = master.device_key(Device::Ups(&serial));
    let gateway_key = master.device_key(Device::Gateway(&gateway));
    let authority = ActivationAuthority::new(&master);
    let activation = authority.mint(0x0101, 123_456).unwrap();
    let number: ActivationNumber = activation.number;
    let regkey = RegistrationKey::derive(&terminal_key, number, 0x0101);

    let mut g = c.benchmark_group("keys");
    g.bench_function("device_key", |b| {
        b.iter(|| master.device_key(Device::Terminal(black_box(mpr))))
    });
    g.bench_function("keycode_from_device_key", |b| {
        b.iter(|| KeyCode::derive(black_box(&ups_key)))
    });
    g.bench_function("keycode_from_master", |b| {
        b.iter(|| KeyCode::for_serial(&master, black_box(&serial)))
    });
    g.bench_function("keycode_verify", |b| {
        let code = KeyCode::derive(&ups_key);
        b.iter(|| black_box(code).verify(&ups_key))
    });
    g.bench_function("gateway_password_from_device_key", |b| {
        b.iter(|| GatewayPassword::derive(black_box(&gateway_key)))
    });
    g.bench_function("gateway_password_from_master", |b| {
        b.iter(|| GatewayPassword::for_gateway(&master, black_box(&gateway)))
    });
    g.bench_function("activation_mint", |b| {
        b.iter(|| authority.mint(0x0101, black_box(123_456)))
    });
    g.bench_function("activation_check", |b| {
        b.iter(|| black_box(&activation).verify(&authority))
    });
    g.bench_function("registration_key_from_device_key", |b| {
        b.iter(|| RegistrationKey::derive(&terminal_key, black_box(number), 0x0101))
    });
    g.bench_function("registration_key_from_master", |b| {
        b.iter(|| RegistrationKey::issue(&master, black_box(mpr), number, 0x0101))
    });
    g.bench_function("registration_key_verify", |b| {
        b.iter(|| black_box(regkey).verify(&terminal_key))
    });
    g.finish();
}

fn codes_and_links(c: &mut Criterion) {
    use chrono::{Duration, TimeZone, Utc};
    use regcore::code::{CodePolicy, CodeSecret};
    use regcore::token::{Keyring, LinkPolicy};

    let t0 = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    let secret = CodeSecret::new(&[7u8; 32]).unwrap();
    let policy = CodePolicy::sign_up();
    let (state, code) = policy.issue(&secret, "taro@example.jp", None, t0).unwrap();
    let mut g = c.benchmark_group("codes");
    g.bench_function("issue", |b| {
        b.iter(|| policy.issue(&secret, black_box("taro@example.jp"), None, t0))
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            policy.verify(
                &secret,
                "taro@example.jp",
                black_box(code.as_str()),
                &state,
                t0 + Duration::minutes(1),
            )
        })
    });
    g.finish();

    let ring = Keyring::new(1, CodeSecret::new(&[9u8; 32]).unwrap());
    let link = LinkPolicy::password_reset();
    let token = link.issue(&ring, "account-42", 1, b"", t0).unwrap();
    let mut g = c.benchmark_group("tokens");
    g.bench_function("sign", |b| {
        b.iter(|| link.issue(&ring, black_box("account-42"), 1, b"", t0))
    });
    g.bench_function("verify", |b| {
        b.iter(|| link.verify(&ring, black_box(&token), 1, b"", t0 + Duration::minutes(1)))
    });
    g.finish();
}

fn policies(c: &mut Criterion) {
    use regcore::{CheckContext, PasswordPolicy};
    let ctx = CheckContext::new().with_user_id("taro@example.jp");
    let mut g = c.benchmark_group("policy_check");
    for (name, password) in [
        ("ups_site", "Sakura-2026!"),
        ("monitoring_service", "Sakura2026x"),
        ("kms", "Sak1ura2x"),
        ("device_admin_pin", "27182818"),
        ("nist_800_63b", "correct horse battery staple"),
    ] {
        let policy = PasswordPolicy::preset(name).unwrap();
        g.bench_function(name, |b| b.iter(|| policy.check(black_box(password), &ctx)));
    }
    g.finish();
}

fn lockout(c: &mut Criterion) {
    use chrono::{TimeZone, Utc};
    use regcore::lockout::{LockoutPolicy, LockoutState};
    let policy = LockoutPolicy::ups_site();
    let t0 = Utc.with_ymd_and_hms(2026, 4, 1, 9, 0, 0).unwrap();
    let state = LockoutState::default().record_failure(&policy, t0);
    let encoded = state.encode();
    let mut g = c.benchmark_group("lockout");
    g.bench_function("decode_decide_failure_encode", |b| {
        b.iter(|| {
            let s = LockoutState::decode(black_box(&encoded)).unwrap();
            match s.attempt(&policy, t0) {
                Ok(a) => a.failure().encode(),
                Err(r) => r.new_state.unwrap_or(s).encode(),
            }
        })
    });
    g.finish();
}

fn argon2(c: &mut Criterion) {
    use regcore::{HashParams, hash_password, verify_password};
    let phc = hash_password("Sakura-2026!", &[7u8; 16], &HashParams::OWASP, None).unwrap();
    let mut g = c.benchmark_group("argon2id");
    g.sample_size(10);
    g.bench_function("hash_owasp", |b| {
        b.iter(|| {
            hash_password(
                black_box("Sakura-2026!"),
                &[7u8; 16],
                &HashParams::OWASP,
                None,
            )
        })
    });
    g.bench_function("verify_owasp", |b| {
        b.iter(|| verify_password(black_box("Sakura-2026!"), &phc, None))
    });
    // Peer: RustCrypto's argon2 alone (regcore's default backend) at the
    // same parameters, so the table shows what the SIMD backend buys.
    let rustcrypto = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(19 * 1024, 2, 1, Some(32)).unwrap(),
    );
    g.bench_function("peer_rustcrypto_hash_owasp", |b| {
        b.iter(|| {
            let mut tag = [0u8; 32];
            rustcrypto
                .hash_password_into(black_box(b"Sakura-2026!"), &[7u8; 16], &mut tag)
                .unwrap();
            tag
        })
    });
    g.finish();
}

criterion_group!(
    benches,
    identifiers,
    keys,
    codes_and_links,
    policies,
    lockout,
    argon2
);
criterion_main!(benches);
