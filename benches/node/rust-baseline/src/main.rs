//! Prints Rust's per-item time for the key-code batch that bench.js runs
//! through Node: parse each serial and derive its key code, as the binding's
//! batch call does, minus the JavaScript boundary. With `argon2 N`: the
//! median ms of core's `hash_password` at OWASP parameters.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use regcore::UpsSerial;
use regcore::keycode::KeyCode;
use regcore::keys::MasterSecret;
use std::io::Read;
use std::time::Instant;

fn main() {
    if std::env::args().nth(1).as_deref() == Some("argon2") {
        return argon2(std::env::args().nth(2).map_or(10, |s| s.parse().unwrap()));
    }
    // stdin: hex master, then one serial per line (exactly what Node uses).
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input).unwrap();
    let mut lines = input.lines();
    let hex = lines.next().unwrap();
    let master_bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let master = MasterSecret::new(1, &master_bytes).unwrap();
    let serials: Vec<&str> = lines.collect();
    let rounds: usize = std::env::args().nth(1).map_or(7, |s| s.parse().unwrap());
    let run = || -> Vec<u16> {
        serials
            .iter()
            .map(|s| KeyCode::for_serial(&master, &UpsSerial::parse(s).unwrap()).value())
            .collect()
    };
    let check = run();
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(run());
        times.push(t.elapsed().as_secs_f64() * 1e9 / serials.len() as f64);
    }
    times.sort_by(f64::total_cmp);
    let checksum: u64 = check.iter().map(|&c| u64::from(c)).sum();
    println!("{} {}", times[times.len() / 2], checksum);
}

fn argon2(rounds: usize) {
    let params = regcore::HashParams::OWASP;
    let mut times = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(
            regcore::hash_password("Sakura-2026!", &[7u8; 16], &params, None).unwrap(),
        );
        times.push(t.elapsed().as_secs_f64() * 1e3);
    }
    times.sort_by(f64::total_cmp);
    println!("{}", times[times.len() / 2]);
}
