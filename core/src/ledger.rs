//! An in-memory issuance ledger (docs/pairing.md §1): the pairing rules of
//! [`plan_issuance`] applied to a value the caller owns, with the KMS
//! searches \[004\] §7, reports \[004\] §6 and audited administrative rebinds.
//! For tests, scripts and small tools; a web site keeps the same rules with
//! its own database (`docs/pairing.md`).

use std::collections::BTreeMap;

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::ids::{ActivationNumber, MprId};
use crate::keys::MasterSecret;
use crate::pairing::{
    Binding, IssuanceError, IssuancePlan, IssuanceRequest, Mode, Outcome, plan_issuance,
};
use crate::regkey::RegistrationKey;

/// What a history row records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HistoryEvent {
    /// First issue for a terminal.
    Issued,
    /// The same key issued again for the same terminal.
    Reissued,
    /// Administrative rebind to another terminal.
    Rebound,
}

impl HistoryEvent {
    /// Stable name used in CSV.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Issued => "issued",
            Self::Reissued => "reissued",
            Self::Rebound => "rebound",
        }
    }

    /// Every event, in a fixed order (for stores that render SQL per event).
    pub const ALL: [Self; 3] = [Self::Issued, Self::Reissued, Self::Rebound];

    /// The event named `name` ([`HistoryEvent::name`]), if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.name() == name)
    }

    /// Whether the daily report counts this event as an issue (first
    /// issues and rebinds) rather than as a reissue.
    #[must_use]
    pub const fn counts_as_issue(self) -> bool {
        match self {
            Self::Issued | Self::Rebound => true,
            Self::Reissued => false,
        }
    }
}

/// The history rows an applied issuance plan adds: one per key issued or
/// reissued, none for a refused key, none at all for a demo request.
#[must_use]
pub fn issuance_history(
    request: &IssuanceRequest,
    plan: &IssuancePlan,
    now: DateTime<Utc>,
) -> Vec<HistoryRow> {
    if request.mode == Mode::Demo {
        return Vec::new();
    }
    plan.outcomes
        .iter()
        .filter_map(|o| {
            let (event, registration_key, product) = match o.outcome {
                Outcome::Issued {
                    registration_key,
                    product,
                } => (HistoryEvent::Issued, registration_key, product),
                Outcome::Reissued {
                    registration_key,
                    product,
                    ..
                } => (HistoryEvent::Reissued, registration_key, product),
                Outcome::Refused(_) => return None,
            };
            Some(HistoryRow {
                at: now,
                event,
                mpr_id: request.mpr_id,
                activation_number: o.activation_number,
                product,
                registration_key,
            })
        })
        .collect()
}

/// What an audited rebind changes: the binding as it becomes, its history
/// row and the audit record. From [`plan_rebind`]; a store writes all three
/// in one transaction, replacing `current` only if it is still stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RebindPlan {
    /// The binding after the rebind (new terminal, new key, issued now).
    pub binding: Binding,
    /// The `rebound` history row.
    pub history: HistoryRow,
    /// The audit record.
    pub record: RebindRecord,
}

/// Plan an administrative rebind of `number` to `to` against the binding
/// stored for it (`current`, `None` when not bound): the rules of
/// [`Ledger::rebind`] for a ledger the caller keeps elsewhere.
///
/// # Errors
/// [`LedgerError`]: not issued, same terminal, or empty actor/reason.
pub fn plan_rebind(
    master: &MasterSecret,
    current: Option<&Binding>,
    number: ActivationNumber,
    to: MprId,
    actor: &str,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<RebindPlan, LedgerError> {
    let (actor, reason) = (actor.trim(), reason.trim());
    if actor.is_empty() || reason.is_empty() {
        return Err(LedgerError::Unaudited);
    }
    let current =
        current
            .filter(|b| b.activation_number == number)
            .ok_or(LedgerError::NotBound {
                activation_number: number,
            })?;
    if current.mpr_id == to {
        return Err(LedgerError::SameTerminal);
    }
    let registration_key = RegistrationKey::issue(master, to, number, current.product);
    let binding = Binding {
        mpr_id: to,
        first_issued_at: now,
        registration_key,
        ..current.clone()
    };
    Ok(RebindPlan {
        history: HistoryRow {
            at: now,
            event: HistoryEvent::Rebound,
            mpr_id: to,
            activation_number: number,
            product: current.product,
            registration_key,
        },
        record: RebindRecord {
            at: now,
            activation_number: number,
            from: current.mpr_id,
            to,
            actor: actor.to_owned(),
            reason: reason.to_owned(),
        },
        binding,
    })
}

/// One issue event.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct HistoryRow {
    /// When.
    pub at: DateTime<Utc>,
    /// What.
    pub event: HistoryEvent,
    /// Terminal.
    pub mpr_id: MprId,
    /// Activation number.
    pub activation_number: ActivationNumber,
    /// Product code.
    pub product: u16,
    /// Registration key issued.
    pub registration_key: RegistrationKey,
}

/// An audited administrative rebind.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RebindRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// The activation number moved.
    pub activation_number: ActivationNumber,
    /// Previous terminal.
    pub from: MprId,
    /// New terminal.
    pub to: MprId,
    /// Who did it.
    pub actor: String,
    /// Why.
    pub reason: String,
}

/// Inclusive range of calendar days, in the report's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DateRange {
    /// First day.
    pub from: NaiveDate,
    /// Last day.
    pub to: NaiveDate,
}

/// Issues on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DailyCount {
    /// Day (report time zone).
    pub date: NaiveDate,
    /// First issues.
    pub issued: u64,
    /// Re-issues.
    pub reissued: u64,
}

/// Daily totals report \[004\] §6.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DailyReport {
    /// Days with at least one issue, ascending.
    pub rows: Vec<DailyCount>,
}

impl DailyReport {
    /// CSV with header `date,issued,reissued`, `\n` line ends.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut out = String::from("date,issued,reissued\n");
        for r in &self.rows {
            out.push_str(&format!("{},{},{}\n", r.date, r.issued, r.reissued));
        }
        out
    }
}

/// Detail history report \[004\] §6.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryReport {
    /// Offset the times are shown in.
    pub offset: FixedOffset,
    /// Rows in time order.
    pub rows: Vec<HistoryRow>,
}

impl HistoryReport {
    /// CSV with header
    /// `at,event,mpr_id,activation_number,product,registration_key`; times
    /// RFC 3339 in the report offset. No field can contain a comma or quote.
    #[must_use]
    pub fn to_csv(&self) -> String {
        let mut out = String::from("at,event,mpr_id,activation_number,product,registration_key\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{},{},{},{},{:04X},{}\n",
                rfc3339(r.at, self.offset),
                r.event.name(),
                r.mpr_id,
                r.activation_number,
                r.product,
                r.registration_key
            ));
        }
        out
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.fff]+HH:MM` without chrono's `alloc` formatter.
fn rfc3339(at: DateTime<Utc>, offset: FixedOffset) -> String {
    let local = local_naive(at, offset);
    format!("{}T{}{}", local.date(), local.time(), offset)
}

/// Wall-clock time in `offset`. At the edges of chrono's range the shifted
/// time does not exist; report the UTC wall time there instead of panicking
/// (found by the `ledger` fuzz target).
fn local_naive(at: DateTime<Utc>, offset: FixedOffset) -> chrono::NaiveDateTime {
    at.naive_utc()
        .checked_add_offset(offset)
        .unwrap_or_else(|| at.naive_utc())
}

/// Why a ledger operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Rebinding a number that was never issued. Code `ledger.not_bound`.
    #[error("activation key {activation_number} has not been issued")]
    NotBound {
        /// The number.
        activation_number: ActivationNumber,
    },
    /// Rebinding to the terminal it is already bound to. Code
    /// `ledger.rebind_same_terminal`.
    #[error("activation key is already bound to this terminal")]
    SameTerminal,
    /// A rebind without actor or reason. Code `ledger.rebind_unaudited`.
    #[error("a rebind needs the administrator's name and a reason")]
    Unaudited,
}

impl Coded for LedgerError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::NotBound { .. } | Self::SameTerminal => ErrorKind::Refused,
            Self::Unaudited => ErrorKind::InvalidInput,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::NotBound { .. } => "ledger.not_bound",
            Self::SameTerminal => "ledger.rebind_same_terminal",
            Self::Unaudited => "ledger.rebind_unaudited",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::NotBound { activation_number } => {
                vec![("activation_number", activation_number.to_string())]
            }
            Self::SameTerminal | Self::Unaudited => Vec::new(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::NotBound { activation_number }) => {
                format!("アクティベーションキー{activation_number}は未発行です。")
            }
            (Lang::Ja, Self::SameTerminal) => {
                "このアクティベーションキーは既にこの端末に紐付いています。".to_owned()
            }
            (Lang::Ja, Self::Unaudited) => "付け替えには担当者名と理由が必要です。".to_owned(),
        }
    }
}

/// In-memory bindings, history and rebind audit trail.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Ledger {
    bindings: BTreeMap<ActivationNumber, Binding>,
    history: Vec<HistoryRow>,
    rebinds: Vec<RebindRecord>,
}

impl Ledger {
    /// An empty ledger.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Plan `request` against the current bindings and apply the plan.
    /// Demo requests change nothing.
    ///
    /// # Errors
    /// [`IssuanceError`] for 0 or more than 8 keys.
    pub fn issue(
        &mut self,
        master: &MasterSecret,
        request: &IssuanceRequest,
        now: DateTime<Utc>,
    ) -> Result<IssuancePlan, IssuanceError> {
        let existing: Vec<Binding> = request
            .keys
            .iter()
            .filter_map(|k| self.bindings.get(&k.number).cloned())
            .collect();
        let plan = plan_issuance(master, request, &existing, now)?;
        if request.mode == Mode::Demo {
            return Ok(plan);
        }
        for b in &plan.new_bindings {
            self.bindings.insert(b.activation_number, b.clone());
        }
        self.history.extend(issuance_history(request, &plan, now));
        Ok(plan)
    }

    /// Every binding, by activation number.
    pub fn bindings(&self) -> impl Iterator<Item = &Binding> {
        self.bindings.values()
    }

    /// Every activation key issued for a terminal \[004\] §7.
    #[must_use]
    pub fn by_mpr_id(&self, mpr_id: MprId) -> Vec<&Binding> {
        self.bindings
            .values()
            .filter(|b| b.mpr_id == mpr_id)
            .collect()
    }

    /// The terminal (and first issue date) of an activation number \[004\] §7.
    #[must_use]
    pub fn by_activation_number(&self, number: ActivationNumber) -> Option<&Binding> {
        self.bindings.get(&number)
    }

    /// Every history row, in the order recorded.
    #[must_use]
    pub fn history_rows(&self) -> &[HistoryRow] {
        &self.history
    }

    /// The rebind audit trail.
    #[must_use]
    pub fn rebinds(&self) -> &[RebindRecord] {
        &self.rebinds
    }

    fn in_range(at: DateTime<Utc>, range: Option<DateRange>, offset: FixedOffset) -> bool {
        range.is_none_or(|r| {
            let day = local_naive(at, offset).date();
            r.from <= day && day <= r.to
        })
    }

    /// Detail history over an optional range of days in `offset` (e.g.
    /// +09:00 for Japan); no range means everything \[004\] §6.
    #[must_use]
    pub fn history(&self, range: Option<DateRange>, offset: FixedOffset) -> HistoryReport {
        let mut rows: Vec<HistoryRow> = self
            .history
            .iter()
            .filter(|r| Self::in_range(r.at, range, offset))
            .cloned()
            .collect();
        rows.sort_by_key(|r| r.at);
        HistoryReport { offset, rows }
    }

    /// Issues per day over an optional range of days in `offset` \[004\] §6.
    #[must_use]
    pub fn daily_counts(&self, range: Option<DateRange>, offset: FixedOffset) -> DailyReport {
        let mut days: BTreeMap<NaiveDate, DailyCount> = BTreeMap::new();
        for r in self
            .history
            .iter()
            .filter(|r| Self::in_range(r.at, range, offset))
        {
            let date = local_naive(r.at, offset).date();
            let row = days.entry(date).or_insert(DailyCount {
                date,
                issued: 0,
                reissued: 0,
            });
            if r.event.counts_as_issue() {
                row.issued = row.issued.saturating_add(1);
            } else {
                row.reissued = row.reissued.saturating_add(1);
            }
        }
        DailyReport {
            rows: days.into_values().collect(),
        }
    }

    /// Administrative rebind: move an issued activation key to another
    /// terminal, recording who and why. The new terminal gets a new
    /// registration key; the old terminal's key keeps working offline (a
    /// terminal cannot be told), which is why this is an audited exception.
    ///
    /// # Errors
    /// [`LedgerError`]: not issued, same terminal, or empty actor/reason.
    pub fn rebind(
        &mut self,
        master: &MasterSecret,
        number: ActivationNumber,
        to: MprId,
        actor: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<RebindRecord, LedgerError> {
        let plan = plan_rebind(
            master,
            self.bindings.get(&number),
            number,
            to,
            actor,
            reason,
            now,
        )?;
        self.bindings.insert(number, plan.binding);
        self.history.push(plan.history);
        self.rebinds.push(plan.record.clone());
        Ok(plan.record)
    }
}
