//! Why a lockout policy or stored state was rejected.

use crate::error::{Coded, ErrorKind, Lang, Param};

/// Why a lockout policy or stored state was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LockoutError {
    /// A stored state that is not a canonical encoding. Code
    /// `lockout.malformed_state`; parameter `reason`.
    #[error("stored lockout state is malformed ({reason})")]
    MalformedState {
        /// Stable snake_case reason.
        reason: &'static str,
    },
    /// A policy whose values make no sense. Code `lockout.invalid_policy`;
    /// parameter `reason`.
    #[error("lockout policy is invalid ({reason})")]
    InvalidPolicy {
        /// Stable snake_case reason.
        reason: &'static str,
    },
    /// An admission was settled twice. Rust makes this impossible (settling
    /// consumes the [`Admission`](super::Admission)); the bindings, whose values can be used
    /// again, raise it. Code `lockout.admission_used`.
    #[error("this lockout admission was already settled")]
    AdmissionUsed,
}

impl Coded for LockoutError {
    fn code(&self) -> &'static str {
        match self {
            Self::MalformedState { .. } => "lockout.malformed_state",
            Self::InvalidPolicy { .. } => "lockout.invalid_policy",
            Self::AdmissionUsed => "lockout.admission_used",
        }
    }
    fn kind(&self) -> ErrorKind {
        match self {
            Self::MalformedState { .. } => ErrorKind::StoredState,
            Self::InvalidPolicy { .. } => ErrorKind::Configuration,
            Self::AdmissionUsed => ErrorKind::InvalidInput,
        }
    }
    fn params(&self) -> Vec<Param> {
        match self {
            Self::MalformedState { reason } | Self::InvalidPolicy { reason } => {
                vec![("reason", (*reason).to_owned())]
            }
            Self::AdmissionUsed => vec![],
        }
    }
    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::MalformedState { reason }) => {
                format!("保存されたロックアウト状態が不正です（{reason}）。")
            }
            (Lang::Ja, Self::InvalidPolicy { reason }) => {
                format!("ロックアウトの設定が不正です（{reason}）。")
            }
            (Lang::Ja, Self::AdmissionUsed) => {
                "このログイン試行の結果はすでに記録されています。".to_owned()
            }
        }
    }
}
