//! Password policies (docs/passwords.md §1–§4): presets and custom policies as data,
//! `check` reporting every violation, `describe` for a sign-up form, and
//! password age.

use napi::bindgen_prelude::*;
use napi::{Env, Task};
use napi_derive::napi;
use regcore::Coded;
use regcore::hash::Pepper;
use regcore::policy::{self, CheckContext as CoreContext, PasswordAge, Severity};
use zeroize::Zeroizing;

use crate::convert::{
    Date, Diagnostic, JsString, OrThrow, coded_error, from_json, now_or, to_json,
};

/// What a check knows about the account (all optional).
#[napi(object, object_to_js = false)]
pub struct CheckContext {
    /// The user ID (if an e-mail address, its local part is looked for too).
    pub user_id: Option<String>,
    /// The e-mail address (whole and local part are looked for).
    pub email: Option<String>,
    /// PHC strings of previous passwords, newest first (history rule; each
    /// costs one Argon2 verification — prefer `checkAsync` then).
    pub previous_hashes: Option<Vec<String>>,
    /// The pepper the previous hashes were made with.
    pub pepper: Option<Uint8Array>,
    /// Site-specific passwords to reject (e.g. the product name).
    pub blocklist: Option<Vec<String>>,
}

/// One unmet rule: the fields of a `Diagnostic` plus its severity.
#[napi(object)]
pub struct PasswordViolation {
    /// Stable code, e.g. `password.too_short`.
    pub code: String,
    /// Always `'invalid_input'` (the user's password to correct).
    #[napi(ts_type = "ErrorKind")]
    pub kind: String,
    /// Named parameters (string values), e.g. `{ min: '10', actual: '3' }`.
    pub params: indexmap::IndexMap<String, String>,
    /// English message.
    pub message: String,
    /// Japanese message.
    pub message_ja: String,
    /// `'reject'`: the password must not be used; `'must_change'`: it works
    /// but must be changed now (e.g. the factory default PIN).
    pub severity: String,
}

/// Every violation of a password, at once.
#[napi(object)]
pub struct PasswordReport {
    /// No violation at all.
    pub ok: bool,
    /// No `'reject'` violation: the password may be used to log in (force a
    /// change first if `mustChange`).
    pub acceptable: bool,
    /// Some violation is `'must_change'`.
    pub must_change: bool,
    /// Every violation, in rule order.
    pub violations: Vec<PasswordViolation>,
    /// Previous hashes that could not be checked (skipped, not failed).
    pub skipped_history_entries: u32,
}

impl From<&policy::Report> for PasswordReport {
    fn from(r: &policy::Report) -> Self {
        Self {
            ok: r.is_ok(),
            acceptable: r.is_acceptable(),
            must_change: r.must_change(),
            violations: r
                .violations()
                .iter()
                .map(|v| {
                    let d = Diagnostic::of(v);
                    PasswordViolation {
                        code: d.code,
                        kind: d.kind,
                        params: d.params,
                        message: d.message,
                        message_ja: d.message_ja,
                        severity: match v.severity() {
                            Severity::MustChange => "must_change",
                            _ => "reject",
                        }
                        .to_owned(),
                    }
                })
                .collect(),
            skipped_history_entries: r.skipped_history_entries(),
        }
    }
}

/// How close a password is to expiry.
#[napi(object)]
pub struct PasswordAgeResult {
    /// `'fresh'`, `'expires_soon'` or `'expired'` (must change before logging in).
    pub state: String,
    /// Whole days left, rounded up (when `'expires_soon'`).
    pub days_left: Option<u32>,
}

/// An owned check context, so a check can move to a worker thread.
struct OwnedContext {
    user_id: Option<String>,
    email: Option<String>,
    previous_hashes: Vec<String>,
    pepper: Option<Zeroizing<Vec<u8>>>,
    blocklist: Vec<String>,
}

impl OwnedContext {
    fn new(context: Option<CheckContext>) -> Self {
        match context {
            None => Self {
                user_id: None,
                email: None,
                previous_hashes: Vec::new(),
                pepper: None,
                blocklist: Vec::new(),
            },
            Some(c) => Self {
                user_id: c.user_id,
                email: c.email,
                previous_hashes: c.previous_hashes.unwrap_or_default(),
                pepper: c.pepper.map(|p| Zeroizing::new(p.to_vec())),
                blocklist: c.blocklist.unwrap_or_default(),
            },
        }
    }

    fn check(
        &self,
        policy: &policy::PasswordPolicy,
        password: &str,
    ) -> std::result::Result<policy::Report, regcore::HashError> {
        let pepper = self.pepper.as_deref().map(|p| Pepper::new(p)).transpose()?;
        let mut ctx = CoreContext::new()
            .with_history(&self.previous_hashes, pepper.as_ref())
            .with_blocklist(&self.blocklist);
        if let Some(u) = &self.user_id {
            ctx = ctx.with_user_id(u);
        }
        if let Some(e) = &self.email {
            ctx = ctx.with_email(e);
        }
        Ok(policy.check(password, &ctx))
    }
}

/// A password policy: a preset or a custom policy from core's JSON parts.
#[napi]
pub struct PasswordPolicy {
    inner: policy::PasswordPolicy,
}

#[napi]
impl PasswordPolicy {
    /// UPS site: 10–16 ASCII letters, digits and 32 symbols; a letter, a
    /// digit and a symbol; expires after 180 days.
    #[napi(factory)]
    pub fn ups_site() -> Self {
        Self {
            inner: policy::PasswordPolicy::ups_site(),
        }
    }

    /// Monitoring service: 8–16; a lower-case letter, an upper-case letter
    /// and a digit.
    #[napi(factory)]
    pub fn monitoring_service() -> Self {
        Self {
            inner: policy::PasswordPolicy::monitoring_service(),
        }
    }

    /// KMS: 8–10 letters and digits; no runs of 4 sequential or identical
    /// characters.
    #[napi(factory)]
    pub fn kms() -> Self {
        Self {
            inner: policy::PasswordPolicy::kms(),
        }
    }

    /// Device admin PIN: 4–10 digits; the factory default is reported as
    /// `password.default_credential` (must change).
    #[napi(factory)]
    pub fn device_admin_pin() -> Self {
        Self {
            inner: policy::PasswordPolicy::device_admin_pin(),
        }
    }

    /// NIST SP 800-63B: 15–64 of any Unicode, blocklist, no composition
    /// rules, no periodic expiry (recommended for new sites).
    #[napi(factory, js_name = "nist80063b")]
    pub fn nist_800_63b() -> Self {
        Self {
            inner: policy::PasswordPolicy::nist_800_63b(),
        }
    }

    /// NIST SP 800-63B where a second factor is used (minimum 8).
    #[napi(factory, js_name = "nist80063bMfa")]
    pub fn nist_800_63b_mfa() -> Self {
        Self {
            inner: policy::PasswordPolicy::nist_800_63b_mfa(),
        }
    }

    /// A preset by name (`PasswordPolicy.presetNames()`). Throws
    /// `policy.unknown_preset` (kind `configuration`) for any other name.
    #[napi(factory)]
    pub fn preset(env: &Env, name: JsString) -> Result<Self> {
        let name = name.text(env, "name")?;
        policy::PasswordPolicy::preset(&name)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// Names accepted by `preset`.
    #[napi]
    pub fn preset_names() -> Vec<String> {
        policy::PasswordPolicy::preset_names()
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    }

    /// A custom policy from core's JSON parts (the form `toJSON()` writes).
    /// Throws `binding.malformed_json` for bad JSON and `policy.*` for an
    /// inconsistent policy.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        let parts: policy::PolicyParts = from_json(env, "password_policy", &json)?;
        policy::PasswordPolicy::new(parts)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// Core's JSON parts (a string), for configuration.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "password_policy", self.inner.parts())
    }

    /// Check a password on the calling thread; every violation is reported.
    /// With `previousHashes` each history entry costs an Argon2
    /// verification: use `checkAsync` then. Throws `hash.invalid_pepper`.
    #[napi]
    pub fn check(
        &self,
        env: &Env,
        password: JsString,
        context: Option<CheckContext>,
    ) -> Result<PasswordReport> {
        let password = password.text(env, "password")?;
        let password = Zeroizing::new(password);
        OwnedContext::new(context)
            .check(&self.inner, &password)
            .or_throw(env)
            .map(|r| (&r).into())
    }

    /// `check` on the libuv thread pool (for the Argon2 history rule).
    #[napi(ts_return_type = "Promise<PasswordReport>")]
    pub fn check_async(
        &self,
        password: JsString,
        context: Option<CheckContext>,
    ) -> AsyncTask<CheckJob> {
        AsyncTask::new(CheckJob {
            policy: self.inner.clone(),
            password: password.into_text("password").map(Zeroizing::new),
            context: OwnedContext::new(context),
        })
    }

    /// The policy as help-text rules for a sign-up form (codes
    /// `password.rule.*`, params, English and Japanese text). Pass the same
    /// context as to `check` so a context `blocklist` is described too
    /// (`password.rule.not_common`) under a policy without its own list.
    #[napi]
    pub fn describe(&self, context: Option<CheckContext>) -> Vec<Diagnostic> {
        let blocklist = context.and_then(|c| c.blocklist).unwrap_or_default();
        self.inner
            .describe_for(&CoreContext::new().with_blocklist(&blocklist))
            .iter()
            .map(Diagnostic::of)
            .collect()
    }

    /// Age of a password changed at `changedAt`, seen at `now` (system clock
    /// when omitted).
    #[napi]
    pub fn password_age(&self, changed_at: Date, now: Option<Date>) -> PasswordAgeResult {
        match policy::password_age(changed_at.0, now_or(now), &self.inner) {
            PasswordAge::ExpiresSoon { days_left } => PasswordAgeResult {
                state: "expires_soon".to_owned(),
                days_left: Some(days_left),
            },
            PasswordAge::Expired => PasswordAgeResult {
                state: "expired".to_owned(),
                days_left: None,
            },
            _ => PasswordAgeResult {
                state: "fresh".to_owned(),
                days_left: None,
            },
        }
    }
}

/// A policy check running on the libuv thread pool.
pub struct CheckJob {
    policy: policy::PasswordPolicy,
    password: std::result::Result<Zeroizing<String>, regcore::BoundaryError>,
    context: OwnedContext,
}

impl Task for CheckJob {
    type Output = std::result::Result<policy::Report, regcore::HashError>;
    type JsValue = PasswordReport;

    fn compute(&mut self) -> Result<Self::Output> {
        // A password that could not be passed is refused in `resolve`.
        let Ok(password) = &self.password else {
            return Ok(Ok(policy::Report::default()));
        };
        Ok(self.context.check(&self.policy, password))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<PasswordReport> {
        if let Err(e) = &self.password {
            return Err(coded_error(&env, e));
        }
        output
            .map(|r| (&r).into())
            .map_err(|e| coded_error(&env, &e as &dyn Coded))
    }
}
