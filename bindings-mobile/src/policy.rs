//! Password policies (docs/passwords.md §1–§4) for a sign-up or change-password form
//! on the phone: every violation at once with en/ja messages, the rule list
//! for the help text, and password age.
//!
//! Not on mobile: Argon2id hashing and the history check against previous
//! hashes (server-side; the phone never holds password hashes).

use std::sync::Arc;
use std::time::SystemTime;

use regcore::BoundaryError;
use regcore::policy::{
    CheckContext as CoreContext, PasswordAge as CoreAge, PasswordPolicy as CorePolicy, Severity,
    Violation as CoreViolation,
};

use crate::error::{Diagnostic, Param, RegcoreError};
use crate::time::to_chrono;

/// A validated password policy: one of the presets, or a custom policy from
/// the same JSON a server keeps in its configuration (so app and server
/// enforce the same rules).
#[derive(Debug, uniffi::Object)]
#[uniffi::export(Debug, Eq)]
pub struct PasswordPolicy(CorePolicy);

impl PartialEq for PasswordPolicy {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for PasswordPolicy {}

/// Optional facts about the account a password is checked for.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Record)]
pub struct PasswordContext {
    /// The user ID (if it is an e-mail address, its local part is also
    /// looked for).
    #[uniffi(default)]
    pub user_id: Option<String>,
    /// The e-mail address.
    #[uniffi(default)]
    pub email: Option<String>,
    /// Site-specific passwords to reject (e.g. the product name).
    #[uniffi(default)]
    pub blocklist: Vec<String>,
}

/// Result of a password check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PasswordReport {
    /// Every unmet rule in rule order (code `password.*`, params, en/ja
    /// messages). May quote single characters of the password: show them
    /// to the user, never log them.
    pub violations: Vec<PasswordViolation>,
    /// No violation at all: require this when a password is set.
    pub ok: bool,
    /// No rejecting violation: the password may be used to log in.
    pub acceptable: bool,
    /// Accepted but must be changed now (e.g. the factory default PIN).
    pub must_change: bool,
}

/// Whether a violation rejects the password or only demands a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, uniffi::Enum)]
pub enum ViolationSeverity {
    /// The password must not be set or accepted.
    Reject,
    /// The password works, but the user must change it now.
    MustChange,
}

/// One unmet rule of a password check.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PasswordViolation {
    /// Stable code, `password.*` (e.g. `password.too_short`).
    pub code: String,
    /// Named parameters (e.g. `min`, `actual`; `character`, `position`).
    pub params: Vec<Param>,
    /// English message.
    pub message_en: String,
    /// Japanese message.
    pub message_ja: String,
    /// Reject, or accept but force a change.
    pub severity: ViolationSeverity,
}

impl From<&CoreViolation> for PasswordViolation {
    fn from(v: &CoreViolation) -> Self {
        let Diagnostic {
            code,
            params,
            message_en,
            message_ja,
            ..
        } = Diagnostic::from_coded(v);
        Self {
            code,
            params,
            message_en,
            message_ja,
            severity: if v.severity() == Severity::MustChange {
                ViolationSeverity::MustChange
            } else {
                ViolationSeverity::Reject
            },
        }
    }
}

/// One line of a policy's help text.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PolicyRule {
    /// Stable code, `password.rule.*`.
    pub code: String,
    /// Named parameters (e.g. `min`, `max`).
    pub params: Vec<Param>,
    /// English text.
    pub message_en: String,
    /// Japanese text.
    pub message_ja: String,
    /// Violation codes that break this rule, so a form can tick rules off
    /// as the user types.
    pub violation_codes: Vec<String>,
}

/// How close a password is to expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PasswordAge {
    /// Not expiring within the warning window (or never expires).
    Fresh,
    /// Expires within the warning window.
    ExpiresSoon {
        /// Whole days left, rounded up, at least 1.
        days_left: u32,
    },
    /// Expired: the user must change it before logging in.
    Expired,
}

#[uniffi::export]
impl PasswordPolicy {
    /// A preset by name: `ups_site`, `monitoring_service`, `kms`,
    /// `device_admin_pin`, `nist_800_63b`, `nist_800_63b_mfa`.
    ///
    /// # Errors
    /// Kind configuration, `policy.unknown_preset` (parameters `name`,
    /// `expected`).
    #[uniffi::constructor]
    pub fn preset(name: String) -> Result<Arc<Self>, RegcoreError> {
        Ok(Arc::new(Self(CorePolicy::preset(&name)?)))
    }

    /// A custom policy from its JSON form (the policy's parts, as
    /// [`PasswordPolicy::to_json`] writes them).
    ///
    /// # Errors
    /// Kind invalid input, `binding.malformed_json` (`what` =
    /// `password_policy`, `reason`); kind configuration, the `policy.*` code
    /// of the first inconsistent part.
    #[uniffi::constructor]
    pub fn from_json(json: String) -> Result<Arc<Self>, RegcoreError> {
        let parts: regcore::policy::PolicyParts =
            serde_json::from_str(&json).map_err(|e| BoundaryError::MalformedJson {
                what: "password_policy",
                reason: e.to_string(),
            })?;
        Ok(Arc::new(Self(CorePolicy::new(parts)?)))
    }

    /// The policy as JSON (its parts).
    pub fn to_json(&self) -> String {
        // Serialising plain data into a String cannot fail; an empty object
        // is returned rather than panicking if it ever did.
        serde_json::to_string(self.0.parts()).unwrap_or_else(|_| "{}".to_owned())
    }

    /// Check a password: every violation at once. The password is never
    /// normalised (full-width input is its own violation).
    pub fn check(&self, password: String, context: PasswordContext) -> PasswordReport {
        let password = zeroize::Zeroizing::new(password);
        let mut core = CoreContext::new().with_blocklist(&context.blocklist);
        if let Some(user_id) = context.user_id.as_deref() {
            core = core.with_user_id(user_id);
        }
        if let Some(email) = context.email.as_deref() {
            core = core.with_email(email);
        }
        let report = self.0.check(&password, &core);
        PasswordReport {
            violations: report
                .violations()
                .iter()
                .map(PasswordViolation::from)
                .collect(),
            ok: report.is_ok(),
            acceptable: report.is_acceptable(),
            must_change: report.must_change(),
        }
    }

    /// The rules for the form's help text, in display order.
    pub fn describe(&self) -> Vec<PolicyRule> {
        policy_rules(&self.0.describe())
    }

    /// `describe` for checks made with `context`: its blocklist adds the
    /// rule that claims `password.common_password` under a policy without
    /// a list of its own.
    pub fn describe_for(&self, context: PasswordContext) -> Vec<PolicyRule> {
        policy_rules(
            &self
                .0
                .describe_for(&CoreContext::new().with_blocklist(&context.blocklist)),
        )
    }

    /// Age of a password last changed at `changed_at`, seen at `now`.
    ///
    /// # Errors
    /// Kind invalid input, `time.out_of_range`, for a timestamp chrono
    /// cannot represent.
    pub fn password_age(
        &self,
        changed_at: SystemTime,
        now: SystemTime,
    ) -> Result<PasswordAge, RegcoreError> {
        let age = regcore::password_age(to_chrono(changed_at)?, to_chrono(now)?, &self.0);
        Ok(match age {
            CoreAge::ExpiresSoon { days_left } => PasswordAge::ExpiresSoon { days_left },
            CoreAge::Expired => PasswordAge::Expired,
            // Fresh, and any state a later core adds, reads as not expiring.
            _ => PasswordAge::Fresh,
        })
    }
}

/// The names [`PasswordPolicy::preset`] accepts.
#[uniffi::export]
pub fn password_policy_presets() -> Vec<String> {
    CorePolicy::preset_names()
        .iter()
        .map(|n| (*n).to_owned())
        .collect()
}

fn policy_rules(rules: &[regcore::policy::Rule]) -> Vec<PolicyRule> {
    rules
        .iter()
        .map(|rule| {
            let Diagnostic {
                code,
                params,
                message_en,
                message_ja,
                ..
            } = Diagnostic::from_coded(rule);
            PolicyRule {
                code,
                params,
                message_en,
                message_ja,
                violation_codes: rule
                    .violation_codes()
                    .iter()
                    .map(|c| (*c).to_owned())
                    .collect(),
            }
        })
        .collect()
}
