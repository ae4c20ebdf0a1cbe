//! Pairing rules (docs/pairing.md §1): the pure issuance planner, the in-memory
//! `Ledger`, and maintenance links (docs/pairing.md §2).

use napi::Env;
use napi::bindgen_prelude::*;
use napi_derive::napi;
use regcore::activation::ActivationKey as CoreActivationKey;
use regcore::{ledger, maintenance, pairing};

use regcore::BoundaryError;

use crate::convert::{
    Date, Diagnostic, JsNumber, JsString, OrThrow, coded_error, coded_error_with, from_json,
    int_in, name_in, now_or, to_json,
};
use crate::ids::{ActivationNumber, MprId};
use crate::keys::{ActivationKey, MasterSecret, TypedActivationKey, mpr_arg, number_arg};

/// Real issuance, or the KMS demo whose keys work on no terminal. Any other
/// string throws `binding.unknown_name`.
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy)]
pub enum IssuanceMode {
    /// Real keys under the master.
    Real,
    /// Demo keys under the demo master; never bound, never persisted.
    Demo,
}

/// Who is looking: only `'admin'` refusals name the MPR ID an activation key
/// is bound to. Any other string throws `binding.unknown_name`.
#[napi(string_enum = "lowercase")]
#[derive(Clone, Copy)]
pub enum Viewer {
    /// Vendor staff.
    Admin,
    /// A dealer or customer.
    Customer,
}

/// A request for registration keys: one terminal, 1–8 distinct activation
/// keys, validated when it is built.
#[napi]
pub struct IssuanceRequest {
    pub(crate) inner: pairing::IssuanceRequest,
}

#[napi]
impl IssuanceRequest {
    /// A request for terminal `mprId` with `keys` (`ActivationKey`s or
    /// `{ number, registrationId }` as typed), `mode` `'real'` (default) or
    /// `'demo'`, `viewer` `'customer'` (default) or `'admin'`. Throws
    /// `issuance.no_keys`, `issuance.too_many_keys`, `issuance.duplicate_key`,
    /// `binding.unknown_name`, or an `identifier.*` error with
    /// `params.index` (the key's position) or `params.field` (`mprId`).
    #[napi(constructor)]
    pub fn new(
        env: &Env,
        mpr_id: Either<&MprId, JsString>,
        keys: Vec<TypedActivationKey>,
        #[napi(ts_arg_type = "IssuanceMode")] mode: Option<JsString>,
        #[napi(ts_arg_type = "Viewer")] viewer: Option<JsString>,
    ) -> Result<Self> {
        let mpr_id = match mpr_id {
            Either::A(id) => id.inner,
            Either::B(s) => regcore::MprId::parse(&s.text(env, "mprId")?)
                .map_err(|e| coded_error_with(env, &e, &[("field", "mprId".to_owned())]))?,
        };
        let mode = mode.map(|m| m.text(env, "mode")).transpose()?;
        let viewer = viewer.map(|v| v.text(env, "viewer")).transpose()?;
        let keys = keys
            .iter()
            .enumerate()
            .map(|(index, k)| {
                let at = |e: &regcore::IdError| {
                    coded_error_with(env, e, &[("index", index.to_string())])
                };
                Ok(CoreActivationKey {
                    number: regcore::ActivationNumber::parse(&k.number).map_err(|e| at(&e))?,
                    registration_id: regcore::RegistrationId::parse(&k.registration_id)
                        .map_err(|e| at(&e))?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let mode = match mode {
            None => pairing::Mode::Real,
            Some(m) => name_in(
                env,
                "mode",
                &m,
                &[("real", pairing::Mode::Real), ("demo", pairing::Mode::Demo)],
            )?,
        };
        let viewer = match viewer {
            None => pairing::Viewer::Customer,
            Some(v) => name_in(
                env,
                "viewer",
                &v,
                &[
                    ("customer", pairing::Viewer::Customer),
                    ("admin", pairing::Viewer::Admin),
                ],
            )?,
        };
        pairing::IssuanceRequest::new(mpr_id, keys, mode, viewer)
            .or_throw(env)
            .map(|inner| Self { inner })
    }

    /// The terminal, `XXXX-XXXX-XXXX-XXXX`.
    #[napi(getter)]
    pub fn mpr_id(&self) -> String {
        self.inner.mpr_id.to_string()
    }

    /// The activation keys, in request order.
    #[napi(getter)]
    pub fn keys(&self) -> Vec<ActivationKey> {
        self.inner.keys.iter().copied().map(Into::into).collect()
    }

    /// `'real'` or `'demo'`.
    #[napi(getter)]
    pub fn mode(&self) -> IssuanceMode {
        match self.inner.mode {
            pairing::Mode::Demo => IssuanceMode::Demo,
            _ => IssuanceMode::Real,
        }
    }

    /// `'customer'` or `'admin'`.
    #[napi(getter)]
    pub fn viewer(&self) -> Viewer {
        match self.inner.viewer {
            pairing::Viewer::Admin => Viewer::Admin,
            _ => Viewer::Customer,
        }
    }
}

/// A persisted pairing: an activation number bound to one terminal.
#[napi(object)]
pub struct Binding {
    /// Activation number (unique), `XXXX-XXXX-XXXX-XXXX`.
    pub activation_number: String,
    /// The terminal, `XXXX-XXXX-XXXX-XXXX`.
    pub mpr_id: String,
    /// Product code recovered from the activation key (an integer
    /// `0..=65535`).
    pub product: JsNumber,
    /// The registration key issued, `XXXX-XXXX-XXXX-XXXX`.
    pub registration_key: String,
    /// When the key was first issued for this terminal.
    pub first_issued_at: Date,
}

/// What happened to one activation key of a request.
#[napi(string_enum = "lowercase")]
pub enum OutcomeKind {
    /// A new binding (persist it).
    Issued,
    /// Already bound to this terminal: the same key again.
    Reissued,
    /// No key; see `refusal`.
    Refused,
}

/// The outcome for one activation key, in request order.
#[napi(object)]
pub struct KeyOutcome {
    /// The activation number as requested.
    pub activation_number: String,
    /// `'issued'`, `'reissued'` or `'refused'`.
    pub outcome: OutcomeKind,
    /// The registration key (issued and reissued).
    pub registration_key: Option<String>,
    /// The product code (issued and reissued).
    pub product: Option<u32>,
    /// First issue date (reissued).
    pub first_issued_at: Option<Date>,
    /// Why it was refused (`issuance.bound_elsewhere`,
    /// `issuance.wrong_registration_id`, `issuance.demo_real_mismatch`,
    /// `issuance.duplicate_in_request`); `params.bound_to` only for admins.
    pub refusal: Option<Diagnostic>,
}

/// The planner's decision.
#[napi(object)]
pub struct IssuancePlan {
    /// One outcome per requested key, in request order.
    pub outcomes: Vec<KeyOutcome>,
    /// Bindings to insert under a unique constraint on the activation number
    /// (empty for demo requests); on conflict, reload and plan again.
    pub new_bindings: Vec<Binding>,
}

impl From<&pairing::Binding> for Binding {
    fn from(b: &pairing::Binding) -> Self {
        Self {
            activation_number: b.activation_number.to_string(),
            mpr_id: b.mpr_id.to_string(),
            product: u32::from(b.product).into(),
            registration_key: b.registration_key.to_string(),
            first_issued_at: b.first_issued_at.into(),
        }
    }
}

impl From<&pairing::KeyOutcome> for KeyOutcome {
    fn from(o: &pairing::KeyOutcome) -> Self {
        let activation_number = o.activation_number.to_string();
        match &o.outcome {
            pairing::Outcome::Issued {
                registration_key,
                product,
            } => Self {
                activation_number,
                outcome: OutcomeKind::Issued,
                registration_key: Some(registration_key.to_string()),
                product: Some(u32::from(*product)),
                first_issued_at: None,
                refusal: None,
            },
            pairing::Outcome::Reissued {
                registration_key,
                product,
                first_issued_at,
            } => Self {
                activation_number,
                outcome: OutcomeKind::Reissued,
                registration_key: Some(registration_key.to_string()),
                product: Some(u32::from(*product)),
                first_issued_at: Some((*first_issued_at).into()),
                refusal: None,
            },
            pairing::Outcome::Refused(refusal) => Self {
                activation_number,
                outcome: OutcomeKind::Refused,
                registration_key: None,
                product: None,
                first_issued_at: None,
                refusal: Some(Diagnostic::of(refusal)),
            },
        }
    }
}

impl From<&pairing::IssuancePlan> for IssuancePlan {
    fn from(p: &pairing::IssuancePlan) -> Self {
        Self {
            outcomes: p.outcomes.iter().map(Into::into).collect(),
            new_bindings: p.new_bindings.iter().map(Into::into).collect(),
        }
    }
}

fn core_binding(env: &Env, b: &Binding, index: usize) -> Result<pairing::Binding> {
    let at = |e: &dyn regcore::Coded| coded_error_with(env, e, &[("index", index.to_string())]);
    Ok(pairing::Binding {
        activation_number: regcore::ActivationNumber::parse(&b.activation_number)
            .map_err(|e| at(&e))?,
        mpr_id: regcore::MprId::parse(&b.mpr_id).map_err(|e| at(&e))?,
        product: b.product.integer("product").map_err(|e| at(&e))?,
        registration_key: regcore::regkey::RegistrationKey::parse(&b.registration_key)
            .map_err(|e| at(&e))?,
        first_issued_at: b.first_issued_at.0,
    })
}

/// Decide a request against the bindings the caller loaded for its
/// activation numbers (pure: nothing is stored). `now` defaults to the system
/// clock. A malformed `existing` binding throws with `params.index`.
#[napi]
pub fn plan_issuance(
    env: &Env,
    master: &MasterSecret,
    request: &IssuanceRequest,
    existing: Vec<Binding>,
    now: Option<Date>,
) -> Result<IssuancePlan> {
    let request = &request.inner;
    let existing = existing
        .iter()
        .enumerate()
        .map(|(i, b)| core_binding(env, b, i))
        .collect::<Result<Vec<_>>>()?;
    pairing::plan_issuance(&master.inner, request, &existing, now_or(now))
        .or_throw(env)
        .map(|p| (&p).into())
}

/// Inclusive range of calendar days (`YYYY-MM-DD`) in the report's time zone.
#[napi(object)]
pub struct DateRange {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day, `YYYY-MM-DD`.
    pub to: String,
}

/// Options of the ledger reports.
#[napi(object)]
pub struct ReportOptions {
    /// Only these days (all when omitted).
    pub days: Option<DateRange>,
    /// The report's UTC offset in minutes (e.g. 540 for JST; an integer
    /// `-1439..=1439`); 0 when omitted.
    pub utc_offset_minutes: Option<JsNumber>,
}

/// Kind of a history row.
#[napi(string_enum = "lowercase")]
pub enum HistoryEvent {
    /// First issue.
    Issued,
    /// Re-issue for the same terminal.
    Reissued,
    /// Administrative rebind to another terminal.
    Rebound,
}

/// One row of the detail history.
#[napi(object)]
pub struct HistoryRow {
    /// When.
    pub at: Date,
    /// What.
    pub event: HistoryEvent,
    /// The terminal.
    pub mpr_id: String,
    /// The activation number.
    pub activation_number: String,
    /// Product code.
    pub product: u32,
    /// The registration key.
    pub registration_key: String,
}

/// Issues on one day.
#[napi(object)]
pub struct DailyCount {
    /// Day (report time zone), `YYYY-MM-DD`.
    pub date: String,
    /// First issues (and rebinds).
    pub issued: u32,
    /// Re-issues.
    pub reissued: u32,
}

/// An audited administrative rebind.
#[napi(object)]
pub struct RebindRecord {
    /// When.
    pub at: Date,
    /// The activation number.
    pub activation_number: String,
    /// The terminal it was bound to.
    pub from: String,
    /// The terminal it is bound to now.
    pub to: String,
    /// Who.
    pub actor: String,
    /// Why.
    pub reason: String,
}

/// Largest UTC offset of a report, in minutes (just under a day).
const MAX_OFFSET_MINUTES: i128 = 24 * 60 - 1;

fn report_args(
    env: &Env,
    options: Option<ReportOptions>,
) -> Result<(Option<ledger::DateRange>, chrono::FixedOffset)> {
    let options = options.unwrap_or(ReportOptions {
        days: None,
        utc_offset_minutes: None,
    });
    let minutes: i32 = options.utc_offset_minutes.map_or(Ok(0), |m| {
        int_in(
            env,
            "utcOffsetMinutes",
            m,
            -MAX_OFFSET_MINUTES,
            MAX_OFFSET_MINUTES,
        )
    })?;
    let offset = chrono::FixedOffset::east_opt(minutes.saturating_mul(60)).ok_or_else(|| {
        coded_error(
            env,
            &BoundaryError::IntegerOutOfRange {
                name: "utcOffsetMinutes".to_owned(),
                min: -MAX_OFFSET_MINUTES,
                max: MAX_OFFSET_MINUTES,
            },
        )
    })?;
    let range = day_range(env, options.days)?;
    Ok((range, offset))
}

/// The inclusive range of days of a report (`binding.invalid_day` for a
/// day that is not `YYYY-MM-DD`).
pub(crate) fn day_range(env: &Env, days: Option<DateRange>) -> Result<Option<ledger::DateRange>> {
    let Some(r) = days else { return Ok(None) };
    let day = |s: &str, name: &str| {
        chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
            coded_error(
                env,
                &BoundaryError::InvalidDay {
                    name: name.to_owned(),
                },
            )
        })
    };
    Ok(Some(ledger::DateRange {
        from: day(&r.from, "from")?,
        to: day(&r.to, "to")?,
    }))
}

/// A history report's rows.
pub(crate) fn history_rows(report: &ledger::HistoryReport) -> Vec<HistoryRow> {
    report
        .rows
        .iter()
        .map(|r| HistoryRow {
            at: r.at.into(),
            event: match r.event {
                ledger::HistoryEvent::Issued => HistoryEvent::Issued,
                ledger::HistoryEvent::Reissued => HistoryEvent::Reissued,
                ledger::HistoryEvent::Rebound => HistoryEvent::Rebound,
            },
            mpr_id: r.mpr_id.to_string(),
            activation_number: r.activation_number.to_string(),
            product: u32::from(r.product),
            registration_key: r.registration_key.to_string(),
        })
        .collect()
}

/// A daily report's rows.
pub(crate) fn daily_rows(report: &ledger::DailyReport) -> Vec<DailyCount> {
    report
        .rows
        .iter()
        .map(|r| DailyCount {
            date: r.date.to_string(),
            issued: saturating_u32(r.issued),
            reissued: saturating_u32(r.reissued),
        })
        .collect()
}

fn saturating_u32(v: u64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}

/// In-memory ledger applying the pairing rules (for tests, scripts and small
/// tools). Serialisable: `toJSON()` / `Ledger.fromJSON()` use core's format.
#[napi]
pub struct Ledger {
    inner: ledger::Ledger,
}

#[napi]
impl Ledger {
    /// An empty ledger.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self {
            inner: ledger::Ledger::new(),
        }
    }

    /// Restore from `toJSON()`'s output. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        from_json(env, "ledger", &json).map(|inner| Self { inner })
    }

    /// Core's serde JSON of the whole ledger (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "ledger", &self.inner)
    }

    /// Plan a request against this ledger and record the result (real
    /// requests only). `now` defaults to the system clock.
    #[napi]
    pub fn issue(
        &mut self,
        env: &Env,
        master: &MasterSecret,
        request: &IssuanceRequest,
        now: Option<Date>,
    ) -> Result<IssuancePlan> {
        self.inner
            .issue(&master.inner, &request.inner, now_or(now))
            .or_throw(env)
            .map(|p| (&p).into())
    }

    /// Every binding, by activation number.
    #[napi]
    pub fn bindings(&self) -> Vec<Binding> {
        self.inner.bindings().map(Into::into).collect()
    }

    /// Every activation key issued for a terminal.
    #[napi]
    pub fn by_mpr_id(&self, env: &Env, mpr_id: Either<&MprId, JsString>) -> Result<Vec<Binding>> {
        let mpr = mpr_arg(env, "mprId", mpr_id)?;
        Ok(self
            .inner
            .by_mpr_id(mpr)
            .into_iter()
            .map(Into::into)
            .collect())
    }

    /// The binding of an activation number, if issued.
    #[napi]
    pub fn by_activation_number(
        &self,
        env: &Env,
        number: Either<&ActivationNumber, JsString>,
    ) -> Result<Option<Binding>> {
        let number = number_arg(env, "number", number)?;
        Ok(self.inner.by_activation_number(number).map(Into::into))
    }

    /// Administrative rebind of an issued activation key to another terminal,
    /// recording who and why. Throws `ledger.not_bound`,
    /// `ledger.rebind_same_terminal`, `ledger.rebind_unaudited`.
    #[napi]
    #[allow(clippy::too_many_arguments)]
    pub fn rebind(
        &mut self,
        env: &Env,
        master: &MasterSecret,
        number: Either<&ActivationNumber, JsString>,
        to: Either<&MprId, JsString>,
        actor: JsString,
        reason: JsString,
        now: Option<Date>,
    ) -> Result<RebindRecord> {
        let actor = actor.text(env, "actor")?;
        let reason = reason.text(env, "reason")?;
        let number = number_arg(env, "number", number)?;
        let to = mpr_arg(env, "to", to)?;
        let r = self
            .inner
            .rebind(&master.inner, number, to, &actor, &reason, now_or(now))
            .or_throw(env)?;
        Ok(rebind_record(&r))
    }

    /// Every rebind, in order.
    #[napi]
    pub fn rebinds(&self) -> Vec<RebindRecord> {
        self.inner.rebinds().iter().map(rebind_record).collect()
    }

    /// Detail history (issues, re-issues, rebinds) in time order.
    #[napi]
    pub fn history(&self, env: &Env, options: Option<ReportOptions>) -> Result<Vec<HistoryRow>> {
        let (range, offset) = report_args(env, options)?;
        Ok(history_rows(&self.inner.history(range, offset)))
    }

    /// The detail history as CSV (header
    /// `at,event,mpr_id,activation_number,product,registration_key`).
    #[napi]
    pub fn history_csv(&self, env: &Env, options: Option<ReportOptions>) -> Result<String> {
        let (range, offset) = report_args(env, options)?;
        Ok(self.inner.history(range, offset).to_csv())
    }

    /// Issues per day, ascending.
    #[napi]
    pub fn daily_counts(
        &self,
        env: &Env,
        options: Option<ReportOptions>,
    ) -> Result<Vec<DailyCount>> {
        let (range, offset) = report_args(env, options)?;
        Ok(daily_rows(&self.inner.daily_counts(range, offset)))
    }

    /// Issues per day as CSV (header `date,issued,reissued`).
    #[napi]
    pub fn daily_counts_csv(&self, env: &Env, options: Option<ReportOptions>) -> Result<String> {
        let (range, offset) = report_args(env, options)?;
        Ok(self.inner.daily_counts(range, offset).to_csv())
    }
}

impl Default for Ledger {
    fn default() -> Self {
        Self::new()
    }
}

pub(crate) fn rebind_record(r: &ledger::RebindRecord) -> RebindRecord {
    RebindRecord {
        at: r.at.into(),
        activation_number: r.activation_number.to_string(),
        from: r.from.to_string(),
        to: r.to.to_string(),
        actor: r.actor.clone(),
        reason: r.reason.clone(),
    }
}

/// Whether a link or address was added or already there.
#[napi(string_enum = "snake_case")]
pub enum Change {
    /// Newly added.
    Added,
    /// Already present; nothing changed.
    AlreadyPresent,
}

impl From<maintenance::Change> for Change {
    fn from(c: maintenance::Change) -> Self {
        match c {
            maintenance::Change::Added => Self::Added,
            maintenance::Change::AlreadyPresent => Self::AlreadyPresent,
        }
    }
}

/// A dealer account: dealer ID, registered phone number and up to 5
/// maintenance e-mail addresses.
#[napi]
pub struct DealerAccount {
    inner: maintenance::DealerAccount,
}

#[napi]
impl DealerAccount {
    /// A dealer with no maintenance address. Throws `identifier.*`.
    #[napi(constructor)]
    pub fn new(env: &Env, dealer_id: JsString, phone: JsString) -> Result<Self> {
        let dealer_id = dealer_id.text(env, "dealerId")?;
        let phone = phone.text(env, "phone")?;
        let dealer_id = regcore::DealerId::parse(&dealer_id).or_throw(env)?;
        let phone = regcore::PhoneNumber::parse(&phone).or_throw(env)?;
        Ok(Self {
            inner: maintenance::DealerAccount::new(dealer_id, phone),
        })
    }

    /// Restore from `toJSON()`'s output. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        from_json(env, "dealer_account", &json).map(|inner| Self { inner })
    }

    /// Core's serde JSON (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "dealer_account", &self.inner)
    }

    /// The dealer ID.
    #[napi(getter)]
    pub fn dealer_id(&self) -> String {
        self.inner.dealer_id.to_string()
    }

    /// The registered phone number (canonical digits).
    #[napi(getter)]
    pub fn phone(&self) -> String {
        self.inner.phone.to_string()
    }

    /// Maintenance addresses, in the order added.
    #[napi(getter)]
    pub fn emails(&self) -> Vec<String> {
        self.inner
            .emails()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Add a maintenance address (compared by domain-insensitive key).
    /// Throws `maintenance.too_many_emails` or `identifier.invalid_email`.
    #[napi]
    pub fn add_email(&mut self, env: &Env, email: JsString) -> Result<Change> {
        let email = email.text(env, "email")?;
        let email = regcore::EmailAddress::parse(&email).or_throw(env)?;
        self.inner.add_email(email).or_throw(env).map(Into::into)
    }

    /// Remove a maintenance address. Throws `maintenance.email_not_found`.
    #[napi]
    pub fn remove_email(&mut self, env: &Env, email: JsString) -> Result<()> {
        let email = email.text(env, "email")?;
        let email = regcore::EmailAddress::parse(&email).or_throw(env)?;
        self.inner.remove_email(&email).or_throw(env)
    }
}

/// The dealers maintaining one gateway (at most 5).
#[napi]
pub struct GatewayMaintenance {
    inner: maintenance::GatewayMaintenance,
}

#[napi]
impl GatewayMaintenance {
    /// A gateway with no maintenance dealer. Throws `identifier.*`.
    #[napi(constructor)]
    pub fn new(env: &Env, gateway_id: JsString) -> Result<Self> {
        let gateway_id = gateway_id.text(env, "gatewayId")?;
        let gateway = regcore::GatewayId::parse(&gateway_id).or_throw(env)?;
        Ok(Self {
            inner: maintenance::GatewayMaintenance::new(gateway),
        })
    }

    /// Restore from `toJSON()`'s output. Throws `binding.malformed_json`.
    #[napi(factory, js_name = "fromJSON")]
    pub fn from_json(env: &Env, json: JsString) -> Result<Self> {
        let json = json.text(env, "json")?;
        from_json(env, "gateway_maintenance", &json).map(|inner| Self { inner })
    }

    /// Core's serde JSON (a string).
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self, env: &Env) -> Result<String> {
        to_json(env, "gateway_maintenance", &self.inner)
    }

    /// The gateway ID.
    #[napi(getter)]
    pub fn gateway_id(&self) -> String {
        self.inner.gateway_id.to_string()
    }

    /// Linked dealer IDs, in the order linked.
    #[napi(getter)]
    pub fn dealers(&self) -> Vec<String> {
        self.inner
            .dealers()
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    /// Link the dealer the customer named by dealer ID and phone number;
    /// `account` is what the caller found for that dealer ID (`null` if none).
    /// Throws `maintenance.dealer_not_found` (unknown dealer or wrong phone)
    /// or `maintenance.too_many_dealers`.
    #[napi]
    pub fn link(
        &mut self,
        env: &Env,
        dealer_id: JsString,
        phone: JsString,
        account: Option<&DealerAccount>,
    ) -> Result<Change> {
        let dealer_id = dealer_id.text(env, "dealerId")?;
        let phone = phone.text(env, "phone")?;
        let dealer_id = regcore::DealerId::parse(&dealer_id).or_throw(env)?;
        let phone = regcore::PhoneNumber::parse(&phone).or_throw(env)?;
        self.inner
            .link(&dealer_id, &phone, account.map(|a| &a.inner))
            .or_throw(env)
            .map(Into::into)
    }

    /// Unlink a dealer. Throws `maintenance.not_linked`.
    #[napi]
    pub fn unlink(&mut self, env: &Env, dealer_id: JsString) -> Result<()> {
        let dealer_id = dealer_id.text(env, "dealerId")?;
        let dealer_id = regcore::DealerId::parse(&dealer_id).or_throw(env)?;
        self.inner.unlink(&dealer_id).or_throw(env)
    }
}
