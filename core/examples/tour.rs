//! A day at a device-registration portal, told through regcore's real API.
//!
//! Run with `cargo run -p regcore --example tour`. Every value printed is
//! computed; the clock and the randomness are fixed so the run is repeatable
//! (a real site passes its clock and a CSPRNG).
#![allow(clippy::print_stdout, clippy::arithmetic_side_effects)]

use chrono::{Duration, TimeZone, Utc};
use regcore::activation::{ActivationAuthority, Product, ProductCatalogue};
use regcore::code::{CodePolicy, CodeSecret};
use regcore::keycode::KeyCode;
use regcore::keys::{Device, DeviceKey, MasterSecret};
use regcore::ledger::Ledger;
use regcore::lockout::{LockoutPolicy, LockoutState};
use regcore::pairing::{IssuanceRequest, Mode, Outcome, Viewer};
use regcore::regkey::RegistrationKey;
use regcore::{
    CheckContext, Coded, EmailAddress, HashParams, MprId, PasswordPolicy, UpsSerial, hash_password,
    verify_password,
};

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn heading(title: &str) {
    println!("\n== {title} ==");
}

fn main() -> Result<()> {
    let mut now = Utc
        .with_ymd_and_hms(2026, 4, 1, 9, 0, 0)
        .single()
        .ok_or("fixed start time")?;
    // Secrets come from the operator's secret store; fixed here for a repeatable demo.
    let master = MasterSecret::new(7, b"demo vendor master secret, 32+ bytes long")?;
    let code_secret = CodeSecret::new(b"demo one-time-code secret, 32+ bytes long")?;

    heading("1. A customer signs up on the UPS site");
    let email = EmailAddress::parse(" ｔａｒｏ．ｙａｍａｄａ＠Example.co.jp ")?;
    println!(
        "user ID (normalised): {email}  comparison key: {}",
        email.comparison_key()
    );
    let policy = PasswordPolicy::ups_site();
    println!("password rules shown under the field:");
    for rule in policy.describe() {
        println!("  • {} / {}", rule.message_en(), rule.message_ja());
    }
    let context = CheckContext::new().with_email(email.as_str());
    for attempt in ["taro", "ｓａｋｕｒａ２０２６", "Sakura-2026!"] {
        let report = policy.check(attempt, &context);
        if report.is_ok() {
            println!("{attempt:?}: accepted");
        } else {
            println!("{attempt:?}: {} problem(s)", report.violations().len());
            for v in report.violations() {
                println!("  - [{}] {} / {}", v.code(), v.message_en(), v.message_ja());
            }
        }
    }
    let salt = [0x11_u8; 16]; // a real site draws 16 bytes from its CSPRNG
    let phc = hash_password("Sakura-2026!", &salt, &HashParams::OWASP, None)?;
    println!("stored hash: {phc}");

    let codes = CodePolicy::sign_up();
    let (first_state, first_code) = codes.issue(&code_secret, email.as_str(), None, now)?;
    let (state, code) = codes.issue(
        &code_secret,
        email.as_str(),
        Some(&first_state),
        now + Duration::minutes(2),
    )?;
    println!("verification mail sent twice; only the latest code counts");
    let old = codes.verify(
        &code_secret,
        email.as_str(),
        first_code.as_str(),
        &state,
        now + Duration::minutes(5),
    );
    println!("  first code  -> {}", outcome(&old.result));
    let ok = codes.verify(
        &code_secret,
        email.as_str(),
        code.as_str(),
        &old.state,
        now + Duration::minutes(6),
    );
    println!("  latest code -> {}", outcome(&ok.result));
    let again = codes.verify(
        &code_secret,
        email.as_str(),
        code.as_str(),
        &ok.state,
        now + Duration::minutes(7),
    );
    println!("  latest code again -> {}", outcome(&again.result));

    heading("2. Someone guesses the password until the account locks");
    let lockout = LockoutPolicy::ups_site();
    let mut stored = LockoutState::default().encode();
    for guess in 1..=8 {
        let state = LockoutState::decode(&stored)?;
        // Wait until the lock (if any) has passed, as a patient attacker would.
        if let regcore::lockout::Decision::Locked(l) = state.check(&lockout, now) {
            now = l.until;
        }
        let next = match state.attempt(&lockout, now) {
            Ok(attempt) => {
                let correct = verify_password(&format!("guess{guess}"), &phc, None)?;
                if correct {
                    attempt.succeeded()
                } else {
                    attempt.failure()
                }
            }
            Err(refusal) => refusal.new_state.unwrap_or(state),
        };
        let lock = match next.check(&lockout, now) {
            regcore::lockout::Decision::Locked(l) => {
                format!("locked for {} s", l.retry_after_secs())
            }
            _ => "not locked".to_owned(),
        };
        println!("failure {guess}: {lock}   (stored as {})", next.encode());
        stored = next.encode();
    }
    let state = LockoutState::decode(&stored)?;
    match state.attempt(&lockout, now) {
        Err(refusal) => println!(
            "the owner types the right password while locked: refused, retry in {} s (password not even checked)",
            refusal.locked.retry_after_secs()
        ),
        Ok(_) => println!("unexpected: not locked"),
    }

    // Several servers share the account: each attempt is stored as a
    // failure *before* its password is checked (the store layer does this
    // with a compare-and-set), so a burst of 100 gets the 5 free checks.
    let mut shared = LockoutState::default();
    let mut checked = 0;
    for _ in 0..100 {
        if let Ok(admission) = shared.attempt(&lockout, now) {
            shared = admission.state(); // stored first...
            checked += 1; // ...then the password is checked (wrong here)
            let _ = admission.failure();
        }
    }
    println!(
        "100 simultaneous guesses on a fresh account, several servers: {checked} password checks, then locked"
    );

    heading("3. The customer registers a UPS and receives its key code");
    let serial = UpsSerial::parse("bx50ｆ－００１２３４")?;
    let key_code = KeyCode::for_serial(&master, &serial);
    println!(
        "serial {serial}: key code {} (decimal) / {} (binary)",
        key_code.decimal(),
        key_code.binary()
    );
    // The UPS holds only its own key, programmed at the factory.
    let ups_key = DeviceKey::from_hex(&master.device_key(Device::Ups(&serial)).to_hex())?;
    let typed = KeyCode::parse(&key_code.binary())?;
    println!(
        "UPS checks the binary form offline: {}",
        yes_no(typed.verify(&ups_key).is_ok())
    );
    let wrong = KeyCode::from_u16((key_code.value() + 1) % 1024).ok_or("10-bit value")?;
    println!(
        "UPS checks a wrong code: {}",
        yes_no(wrong.verify(&ups_key).is_ok())
    );
    println!("(a 10-bit code is 1-in-1024: the UPS must pair it with the device_entry lockout)");

    heading("4. A dealer issues registration keys for a video terminal");
    let mut catalogue = ProductCatalogue::new();
    catalogue.insert(
        0x0101,
        Product {
            model: "KX-VCS101".into(),
            key_type: "Upgrade".into(),
            demo: false,
        },
    );
    catalogue.insert(
        0x0202,
        Product {
            model: "KX-VCS202".into(),
            key_type: "Option".into(),
            demo: false,
        },
    );
    let authority = ActivationAuthority::new(&master);
    let bought = [
        authority.mint(0x0101, 1001)?,
        authority.mint(0x0202, 1002)?,
        authority.mint(0x0101, 1003)?,
    ];
    let mut ledger = Ledger::new();
    let other_terminal = MprId::parse("FFFF-0000-1111-2222")?;
    // The third key was already used on another terminal last month.
    ledger.issue(
        &master,
        &IssuanceRequest {
            mpr_id: other_terminal,
            keys: vec![bought[2]],
            mode: Mode::Real,
            viewer: Viewer::Customer,
        },
        now - Duration::days(30),
    )?;
    let terminal = MprId::parse("0123456789abcdef")?;
    let request = IssuanceRequest {
        mpr_id: terminal,
        keys: bought.to_vec(),
        mode: Mode::Real,
        viewer: Viewer::Customer,
    };
    let plan = ledger.issue(&master, &request, now)?;
    let mut issued = Vec::new();
    for o in &plan.outcomes {
        match &o.outcome {
            Outcome::Issued {
                registration_key,
                product,
            }
            | Outcome::Reissued {
                registration_key,
                product,
                ..
            } => {
                let model = catalogue
                    .get(*product)
                    .map(|p| p.model.clone())
                    .unwrap_or_default();
                println!(
                    "{} -> registration key {registration_key} ({model})",
                    o.activation_number
                );
                issued.push(*registration_key);
            }
            Outcome::Refused(refusal) => {
                println!(
                    "{} -> refused: {} / {}",
                    o.activation_number,
                    refusal.message_en(),
                    refusal.message_ja()
                );
            }
        }
    }
    let repeat = ledger.issue(&master, &request, now + Duration::hours(1))?;
    if let Some(Outcome::Reissued {
        first_issued_at, ..
    }) = repeat.outcomes.first().map(|o| &o.outcome)
    {
        println!("asking again re-issues the same key, first issued {first_issued_at}");
    }

    heading("5. The terminal verifies its keys offline");
    let terminal_key = master.device_key(Device::Terminal(terminal));
    for key in &issued {
        let typed = RegistrationKey::parse(&key.to_string().to_lowercase())?;
        match typed.verify(&terminal_key) {
            Ok(product) => println!("{key}: enables product {product:#06x}"),
            Err(e) => println!("{key}: {}", e.message_en()),
        }
    }
    let demo_key = RegistrationKey::issue(&master.demo(), terminal, bought[0].number, 0x0101);
    match demo_key.verify(&terminal_key) {
        Ok(_) => println!("demo key {demo_key}: accepted (should never happen)"),
        Err(e) => println!(
            "demo key {demo_key}: {} / {}",
            e.message_en(),
            e.message_ja()
        ),
    }
    Ok(())
}

fn outcome(result: &std::result::Result<(), regcore::code::CodeRejection>) -> String {
    match result {
        Ok(()) => "accepted".to_owned(),
        Err(e) => format!("{} ({})", e.message_en(), e.code()),
    }
}

fn yes_no(ok: bool) -> &'static str {
    if ok { "accepted" } else { "refused" }
}
