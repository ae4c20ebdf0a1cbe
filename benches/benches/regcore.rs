//! Criterion benchmarks: every derivation and check, next to the SHA-256
//! hardware bound measured in the same run (see benches/report.py).
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

/// The bound: SHA-256 compressions per second on one core (the `sha2` block
/// function picks SHA-NI where the CPU has it).
fn sha256_bound(c: &mut Criterion) {
    let blocks = vec![[0x5Au8; 64]; 16 * 1024]; // 1 MiB
    let mut g = c.benchmark_group("bound");
    g.throughput(Throughput::Elements(blocks.len() as u64));
    g.bench_function("sha256_compress_1MiB", |b| {
        b.iter(|| {
            let mut state = [
                0x6a09e667u32,
                0xbb67ae85,
                0x3c6ef372,
                0xa54ff53a,
                0x510e527f,
                0x9b05688c,
                0x1f83d9ab,
                0x5be0cd19,
            ];
            sha2::block_api::compress256(&mut state, black_box(&blocks));
            state
        })
    });
    g.finish();
}

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
        b.iter(|| KeyCode::verify(&ups_key, black_box(code)))
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
        b.iter(|| authority.check(black_box(&activation)))
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

criterion_group!(benches, sha256_bound, identifiers, keys);
criterion_main!(benches);
