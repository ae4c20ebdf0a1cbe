//! docs/algorithms.md §2.1: messages quote what the user typed, but never raw control,
//! format or invisible characters, in English and Japanese alike.

use proptest::prelude::*;
use regcore::keycode::KeyCode;
use regcore::keys::GatewayPassword;
use regcore::quote::is_escaped_in_messages;
use regcore::regkey::RegistrationKey;
use regcore::{
    ActivationNumber, CheckContext, Coded, DealerId, EmailAddress, GatewayId, KmsLoginId, MprId,
    PasswordPolicy, PhoneNumber, RegistrationId, UpsSerial,
};

/// Characters that could reorder or hide a message, mixed with what users
/// really type (ASCII, full-width letters, hyphen variants, kana).
fn risky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::sample::select(vec![
            '\u{202E}',
            '\u{202D}',
            '\u{200F}',
            '\u{200E}',
            '\u{200B}',
            '\u{2066}',
            '\u{2069}',
            '\u{FEFF}',
            '\0',
            '\u{7}',
            '\u{1B}',
            '\u{7F}',
            '\u{85}',
            '\u{A0}',
            '\u{AD}',
            '\u{3000}',
            '\u{E0041}',
            '\u{FE0F}',
            '\u{E000}',
            '\u{1FFFE}',
            '\n',
            '\t',
        ]),
        prop::sample::select(vec!['Ｇ', 'ａ', '－', 'ー', 'あ', '漢', 'é']),
        any::<char>(),
        proptest::char::range('0', 'z'),
    ]
}

fn typed() -> impl Strategy<Value = String> {
    proptest::collection::vec(risky_char(), 0..24).prop_map(|v| v.into_iter().collect())
}

fn messages_of<E: Coded>(err: &E) -> [String; 2] {
    [err.message_en(), err.message_ja()]
}

fn all_messages(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    macro_rules! parse {
        ($($ty:ty),*) => {$(
            if let Err(e) = <$ty>::parse(input) { out.extend(messages_of(&e)); }
        )*};
    }
    parse!(
        MprId,
        ActivationNumber,
        RegistrationId,
        UpsSerial,
        GatewayId,
        PhoneNumber,
        DealerId,
        KmsLoginId,
        EmailAddress,
        KeyCode,
        RegistrationKey,
        GatewayPassword
    );
    if let Err(e) = PasswordPolicy::preset(input) {
        out.extend(messages_of(&e));
    }
    for name in PasswordPolicy::preset_names() {
        let report = PasswordPolicy::preset(name)
            .expect("every listed preset name loads")
            .check(input, &CheckContext::new());
        for v in report.violations() {
            out.extend(messages_of(v));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn no_message_contains_a_raw_invisible_character(input in typed()) {
        for message in all_messages(&input) {
            let bad: Vec<char> = message.chars().filter(|c| is_escaped_in_messages(*c)).collect();
            prop_assert!(bad.is_empty(), "{message:?} contains {bad:?}");
        }
    }
}

#[test]
fn both_languages_show_the_same_escape() {
    let err = MprId::parse("0123\u{202E}").unwrap_err();
    assert!(err.message_en().contains("U+202E"), "{}", err.message_en());
    assert!(
        err.message_ja().contains("「U+202E」"),
        "{}",
        err.message_ja()
    );
    // Visible full-width letters stay as typed.
    let err = MprId::parse("0123-4567-89AB-CDEＧ").unwrap_err();
    assert!(err.message_ja().contains("「Ｇ」"), "{}", err.message_ja());
}
