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
                0x6a09e667u32, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c,
                0x1f83d9ab, 0x5be0cd19,
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

criterion_group!(benches, sha256_bound, identifiers);
criterion_main!(benches);
