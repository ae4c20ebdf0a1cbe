//! Pairing rules (docs/pairing.md §1, \[004\]): which registration keys a request may
//! receive, decided purely from the request and the bindings the caller
//! loaded. The caller persists [`IssuancePlan::new_bindings`] under a unique
//! constraint on the activation number and re-plans on conflict (recipe in
//! `docs/pairing.md`).

use chrono::{DateTime, Utc};

use crate::activation::{ActivationAuthority, ActivationKey};
use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::ids::{ActivationNumber, MprId};
use crate::keys::MasterSecret;
use crate::regkey::RegistrationKey;

/// Most activation keys in one request \[004\].
pub const MAX_KEYS_PER_REQUEST: usize = 8;

/// Real issuance, or the KMS demo whose keys work on no terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Real keys under the master.
    Real,
    /// Demo keys under the demo master; never bound, never persisted.
    Demo,
}

/// Who is looking: decides whether a refusal may name the MPR ID an
/// activation key is bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Viewer {
    /// Vendor staff: refusals name the bound MPR ID.
    Admin,
    /// A dealer or customer: refusals never name another device.
    Customer,
}

/// One request: 1–8 activation keys for one terminal.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuanceRequest {
    /// The terminal.
    pub mpr_id: MprId,
    /// The activation keys as typed (already parsed).
    pub keys: Vec<ActivationKey>,
    /// Real or demo.
    pub mode: Mode,
    /// Who asks.
    pub viewer: Viewer,
}

/// A persisted pairing: an activation number bound to one terminal forever
/// (unless an administrator rebinds it).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Binding {
    /// The activation number (unique).
    pub activation_number: ActivationNumber,
    /// The terminal it is bound to.
    pub mpr_id: MprId,
    /// Product code recovered from the activation key.
    pub product: u16,
    /// The registration key issued.
    pub registration_key: RegistrationKey,
    /// When the key was first issued for this terminal.
    pub first_issued_at: DateTime<Utc>,
}

/// Why one activation key of a request got no registration key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize, serde::Deserialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Refusal {
    /// Already bound to another terminal. `bound_to` is filled only for
    /// [`Viewer::Admin`]. Code `issuance.bound_elsewhere`.
    #[error("this activation key has already been used for another terminal")]
    BoundElsewhere {
        /// The other terminal, for administrators only.
        bound_to: Option<MprId>,
    },
    /// The registration ID does not match the number. Code
    /// `issuance.wrong_registration_id`.
    #[error("the registration ID does not match the activation key number")]
    WrongRegistrationId,
    /// A real key in a demo request or a demo key in a real request. Code
    /// `issuance.demo_real_mismatch`.
    #[error("demo and real activation keys cannot be mixed")]
    DemoRealMismatch,
    /// The same activation number appears earlier in the request. Code
    /// `issuance.duplicate_in_request`.
    #[error("this activation key number appears more than once in the request")]
    DuplicateInRequest,
}

impl Coded for Refusal {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::WrongRegistrationId => ErrorKind::Rejected,
            Self::BoundElsewhere { .. } | Self::DemoRealMismatch => ErrorKind::Refused,
            Self::DuplicateInRequest => ErrorKind::InvalidInput,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::BoundElsewhere { .. } => "issuance.bound_elsewhere",
            Self::WrongRegistrationId => "issuance.wrong_registration_id",
            Self::DemoRealMismatch => "issuance.demo_real_mismatch",
            Self::DuplicateInRequest => "issuance.duplicate_in_request",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::BoundElsewhere {
                bound_to: Some(mpr),
            } => vec![("bound_to", mpr.to_string())],
            _ => Vec::new(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, Self::BoundElsewhere { bound_to: Some(m) }) => {
                format!("this activation key is bound to MPR ID {m}")
            }
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::BoundElsewhere { bound_to: Some(m) }) => {
                format!("このアクティベーションキーはMPR ID {m}で使用済みです。")
            }
            (Lang::Ja, Self::BoundElsewhere { bound_to: None }) => {
                "このアクティベーションキーは他の端末で使用済みです。".to_owned()
            }
            (Lang::Ja, Self::WrongRegistrationId) => {
                "レジストレーションIDがアクティベーションキーナンバーと一致しません。".to_owned()
            }
            (Lang::Ja, Self::DemoRealMismatch) => {
                "デモ用と製品用のアクティベーションキーは混在できません。".to_owned()
            }
            (Lang::Ja, Self::DuplicateInRequest) => {
                "同じアクティベーションキーナンバーが重複しています。".to_owned()
            }
        }
    }
}

/// What happened to one activation key.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A new binding; persist it.
    Issued {
        /// The registration key.
        registration_key: RegistrationKey,
        /// Product code.
        product: u16,
    },
    /// Already bound to this terminal: the same key again.
    Reissued {
        /// The registration key (unchanged).
        registration_key: RegistrationKey,
        /// Product code.
        product: u16,
        /// First issue.
        first_issued_at: DateTime<Utc>,
    },
    /// No key.
    Refused(Refusal),
}

/// Outcome for one activation key, in request order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct KeyOutcome {
    /// The activation number as requested.
    pub activation_number: ActivationNumber,
    /// What happened.
    pub outcome: Outcome,
}

/// The planner's decision.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct IssuancePlan {
    /// One outcome per requested key, in request order.
    pub outcomes: Vec<KeyOutcome>,
    /// Bindings to insert (empty for demo requests).
    pub new_bindings: Vec<Binding>,
}

/// A request that cannot be planned at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IssuanceError {
    /// No activation key. Code `issuance.no_keys`.
    #[error("enter at least one activation key")]
    NoKeys,
    /// More than 8 activation keys. Code `issuance.too_many_keys`.
    #[error("at most {max} activation keys per request (got {actual})")]
    TooManyKeys {
        /// Maximum.
        max: usize,
        /// Given.
        actual: usize,
    },
    /// The same activation number twice in one request. Code
    /// `issuance.duplicate_key`; parameter `activation_number`.
    #[error("activation key {activation_number} appears more than once in the request")]
    DuplicateKey {
        /// The repeated number.
        activation_number: ActivationNumber,
    },
}

impl Coded for IssuanceError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NoKeys | Self::TooManyKeys { .. } | Self::DuplicateKey { .. } => {
                ErrorKind::InvalidInput
            }
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::NoKeys => "issuance.no_keys",
            Self::TooManyKeys { .. } => "issuance.too_many_keys",
            Self::DuplicateKey { .. } => "issuance.duplicate_key",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::NoKeys => Vec::new(),
            Self::TooManyKeys { max, actual } => {
                vec![("max", max.to_string()), ("actual", actual.to_string())]
            }
            Self::DuplicateKey { activation_number } => {
                vec![("activation_number", activation_number.to_string())]
            }
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::NoKeys) => {
                "アクティベーションキーを1つ以上入力してください。".to_owned()
            }
            (Lang::Ja, Self::TooManyKeys { max, actual }) => {
                format!("アクティベーションキーは1回に{max}個までです（入力は{actual}個）。")
            }
            (Lang::Ja, Self::DuplicateKey { activation_number }) => format!(
                "アクティベーションキー{activation_number}が1つの申請に複数回含まれています。"
            ),
        }
    }
}

impl IssuanceRequest {
    /// A request, validated as it is built: 1–8 keys, no number twice.
    ///
    /// # Errors
    /// [`IssuanceError::NoKeys`], [`IssuanceError::TooManyKeys`],
    /// [`IssuanceError::DuplicateKey`].
    pub fn new(
        mpr_id: MprId,
        keys: Vec<ActivationKey>,
        mode: Mode,
        viewer: Viewer,
    ) -> Result<Self, IssuanceError> {
        check_key_count(keys.len())?;
        for (i, key) in keys.iter().enumerate() {
            if keys
                .iter()
                .take(i)
                .any(|earlier| earlier.number == key.number)
            {
                return Err(IssuanceError::DuplicateKey {
                    activation_number: key.number,
                });
            }
        }
        Ok(Self {
            mpr_id,
            keys,
            mode,
            viewer,
        })
    }
}

/// 1–8 keys per request.
fn check_key_count(n: usize) -> Result<(), IssuanceError> {
    if n == 0 {
        return Err(IssuanceError::NoKeys);
    }
    if n > MAX_KEYS_PER_REQUEST {
        return Err(IssuanceError::TooManyKeys {
            max: MAX_KEYS_PER_REQUEST,
            actual: n,
        });
    }
    Ok(())
}

/// Decide a request against the bindings the caller loaded for its
/// activation numbers (others in `existing` are ignored).
///
/// Per key, in order: a repeat of an earlier number in the request is
/// refused; the registration ID is checked under the request's mode (and,
/// if that fails, under the other mode, to report a demo/real mismatch)
/// *before* any binding is consulted, so a caller without the right
/// registration ID learns nothing about bindings; then a real key bound to
/// this terminal is re-issued, bound elsewhere is refused, unbound is issued
/// and a binding returned. Demo keys are checked the same way but never
/// bound: a demo key unlocks nothing, so binding it would protect nothing and
/// would pollute reports.
///
/// # Errors
/// [`IssuanceError`] for 0 or more than 8 keys.
pub fn plan_issuance(
    master: &MasterSecret,
    request: &IssuanceRequest,
    existing: &[Binding],
    now: DateTime<Utc>,
) -> Result<IssuancePlan, IssuanceError> {
    // A request built field by field (not by `IssuanceRequest::new`) is
    // checked here too; its repeated numbers are refused per key below.
    check_key_count(request.keys.len())?;
    // Pass the real master: given a demo master, "real" keys come out as
    // demo keys too, which is harmless (they verify on no terminal).
    let demo = master.demo();
    let (own, other) = match request.mode {
        Mode::Real => (master, &demo),
        Mode::Demo => (&demo, master),
    };
    let own_authority = ActivationAuthority::new(own);
    let other_authority = ActivationAuthority::new(other);

    let mut outcomes = Vec::with_capacity(request.keys.len());
    let mut new_bindings = Vec::new();
    for (i, key) in request.keys.iter().enumerate() {
        let number = key.number;
        let outcome = if request
            .keys
            .iter()
            .take(i)
            .any(|earlier| earlier.number == number)
        {
            Outcome::Refused(Refusal::DuplicateInRequest)
        } else {
            match key.verify(&own_authority) {
                Err(_) => {
                    if key.verify(&other_authority).is_ok() {
                        Outcome::Refused(Refusal::DemoRealMismatch)
                    } else {
                        Outcome::Refused(Refusal::WrongRegistrationId)
                    }
                }
                Ok(info) => {
                    let registration_key =
                        RegistrationKey::issue(own, request.mpr_id, number, info.product);
                    let bound = existing.iter().find(|b| b.activation_number == number);
                    match (request.mode, bound) {
                        (Mode::Demo, _) => Outcome::Issued {
                            registration_key,
                            product: info.product,
                        },
                        (Mode::Real, Some(b)) if b.mpr_id == request.mpr_id => Outcome::Reissued {
                            registration_key: b.registration_key,
                            product: b.product,
                            first_issued_at: b.first_issued_at,
                        },
                        (Mode::Real, Some(b)) => Outcome::Refused(Refusal::BoundElsewhere {
                            bound_to: match request.viewer {
                                Viewer::Admin => Some(b.mpr_id),
                                Viewer::Customer => None,
                            },
                        }),
                        (Mode::Real, None) => {
                            new_bindings.push(Binding {
                                activation_number: number,
                                mpr_id: request.mpr_id,
                                product: info.product,
                                registration_key,
                                first_issued_at: now,
                            });
                            Outcome::Issued {
                                registration_key,
                                product: info.product,
                            }
                        }
                    }
                }
            }
        };
        outcomes.push(KeyOutcome {
            activation_number: number,
            outcome,
        });
    }
    Ok(IssuancePlan {
        outcomes,
        new_bindings,
    })
}
