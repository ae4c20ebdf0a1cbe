//! Maintenance links (docs/pairing.md §2, \[002\]\[001\]): a customer lets up to 5 dealers
//! maintain a gateway; a dealer account notifies up to 5 maintenance e-mail
//! addresses.

use crate::error::{Coded, ErrorKind, Lang, Param};
use crate::ids::{DealerId, EmailAddress, GatewayId, PhoneNumber};

/// Most dealers linked to one gateway \[002\].
pub const MAX_DEALERS_PER_GATEWAY: usize = 5;
/// Most maintenance e-mail addresses per dealer account \[001\].
pub const MAX_MAINTENANCE_EMAILS: usize = 5;

/// Why a maintenance operation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MaintenanceError {
    /// No dealer with that ID, or the phone number differs. One code for
    /// both, so the form cannot be used to find out which dealer IDs exist.
    /// Code `maintenance.dealer_not_found`.
    #[error("no dealer matches this dealer ID and phone number")]
    DealerNotFound,
    /// The gateway already has 5 dealers. Code `maintenance.too_many_dealers`.
    #[error("a gateway can be linked to at most {max} dealers")]
    TooManyDealers {
        /// Maximum.
        max: usize,
    },
    /// Unlinking a dealer that is not linked. Code `maintenance.not_linked`.
    #[error("dealer {dealer_id} is not linked to this gateway")]
    NotLinked {
        /// The dealer.
        dealer_id: DealerId,
    },
    /// The account already has 5 addresses. Code `maintenance.too_many_emails`.
    #[error("a dealer account can hold at most {max} maintenance e-mail addresses")]
    TooManyEmails {
        /// Maximum.
        max: usize,
    },
    /// Removing an address the account does not hold. Code
    /// `maintenance.email_not_found`.
    #[error("this maintenance e-mail address is not registered")]
    EmailNotFound,
}

impl Coded for MaintenanceError {
    fn kind(&self) -> ErrorKind {
        match self {
            Self::DealerNotFound
            | Self::TooManyDealers { .. }
            | Self::NotLinked { .. }
            | Self::TooManyEmails { .. }
            | Self::EmailNotFound => ErrorKind::Refused,
        }
    }
    fn code(&self) -> &'static str {
        match self {
            Self::DealerNotFound => "maintenance.dealer_not_found",
            Self::TooManyDealers { .. } => "maintenance.too_many_dealers",
            Self::NotLinked { .. } => "maintenance.not_linked",
            Self::TooManyEmails { .. } => "maintenance.too_many_emails",
            Self::EmailNotFound => "maintenance.email_not_found",
        }
    }

    fn params(&self) -> Vec<Param> {
        match self {
            Self::TooManyDealers { max } | Self::TooManyEmails { max } => {
                vec![("max", max.to_string())]
            }
            Self::NotLinked { dealer_id } => vec![("dealer_id", dealer_id.to_string())],
            Self::DealerNotFound | Self::EmailNotFound => Vec::new(),
        }
    }

    fn message(&self, lang: Lang) -> String {
        match (lang, self) {
            (Lang::En, _) => self.to_string(),
            (Lang::Ja, Self::DealerNotFound) => {
                "販売店IDと電話番号に一致する販売店が見つかりません。".to_owned()
            }
            (Lang::Ja, Self::TooManyDealers { max }) => {
                format!("保守を任せる販売店は{max}件まで登録できます。")
            }
            (Lang::Ja, Self::NotLinked { dealer_id }) => {
                format!("販売店{dealer_id}はこのゲートウェイに紐付いていません。")
            }
            (Lang::Ja, Self::TooManyEmails { max }) => {
                format!("保守担当者のメールアドレスは{max}件まで登録できます。")
            }
            (Lang::Ja, Self::EmailNotFound) => {
                "このメールアドレスは登録されていません。".to_owned()
            }
        }
    }
}

/// A dealer account as far as maintenance is concerned.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DealerAccount {
    /// Dealer ID (case-sensitive).
    pub dealer_id: DealerId,
    /// Registered phone number (canonical digits).
    pub phone: PhoneNumber,
    emails: Vec<EmailAddress>,
}

/// Whether a call changed anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// Added.
    Added,
    /// Already present; nothing changed.
    AlreadyPresent,
}

impl DealerAccount {
    /// An account without maintenance addresses.
    #[must_use]
    pub fn new(dealer_id: DealerId, phone: PhoneNumber) -> Self {
        Self {
            dealer_id,
            phone,
            emails: Vec::new(),
        }
    }

    /// Maintenance addresses, in the order added.
    #[must_use]
    pub fn emails(&self) -> &[EmailAddress] {
        &self.emails
    }

    /// Add an address; an address already held (same comparison key) is
    /// accepted without change.
    ///
    /// # Errors
    /// [`MaintenanceError::TooManyEmails`] beyond 5.
    pub fn add_email(&mut self, email: EmailAddress) -> Result<Change, MaintenanceError> {
        let key = email.comparison_key();
        if self.emails.iter().any(|e| e.comparison_key() == key) {
            return Ok(Change::AlreadyPresent);
        }
        if self.emails.len() >= MAX_MAINTENANCE_EMAILS {
            return Err(MaintenanceError::TooManyEmails {
                max: MAX_MAINTENANCE_EMAILS,
            });
        }
        self.emails.push(email);
        Ok(Change::Added)
    }

    /// Remove an address (matched by comparison key).
    ///
    /// # Errors
    /// [`MaintenanceError::EmailNotFound`].
    pub fn remove_email(&mut self, email: &EmailAddress) -> Result<(), MaintenanceError> {
        let key = email.comparison_key();
        let before = self.emails.len();
        self.emails.retain(|e| e.comparison_key() != key);
        if self.emails.len() == before {
            Err(MaintenanceError::EmailNotFound)
        } else {
            Ok(())
        }
    }
}

/// The dealers maintaining one gateway.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GatewayMaintenance {
    /// The gateway.
    pub gateway_id: GatewayId,
    dealers: Vec<DealerId>,
}

impl GatewayMaintenance {
    /// A gateway with no maintenance dealer.
    #[must_use]
    pub fn new(gateway_id: GatewayId) -> Self {
        Self {
            gateway_id,
            dealers: Vec::new(),
        }
    }

    /// Linked dealers, in the order linked.
    #[must_use]
    pub fn dealers(&self) -> &[DealerId] {
        &self.dealers
    }

    /// Link the dealer the customer named by dealer ID and phone number.
    /// `account` is what the caller found for `dealer_id` (`None` if no such
    /// dealer). The phone numbers compare in canonical form, so hyphens and
    /// full-width digits typed by the customer do not matter. Linking a
    /// dealer twice is accepted without change.
    ///
    /// # Errors
    /// [`MaintenanceError::DealerNotFound`] (unknown dealer or wrong phone),
    /// [`MaintenanceError::TooManyDealers`].
    pub fn link(
        &mut self,
        dealer_id: &DealerId,
        phone: &PhoneNumber,
        account: Option<&DealerAccount>,
    ) -> Result<Change, MaintenanceError> {
        let Some(account) = account.filter(|a| &a.dealer_id == dealer_id && &a.phone == phone)
        else {
            return Err(MaintenanceError::DealerNotFound);
        };
        if self.dealers.contains(&account.dealer_id) {
            return Ok(Change::AlreadyPresent);
        }
        if self.dealers.len() >= MAX_DEALERS_PER_GATEWAY {
            return Err(MaintenanceError::TooManyDealers {
                max: MAX_DEALERS_PER_GATEWAY,
            });
        }
        self.dealers.push(account.dealer_id.clone());
        Ok(Change::Added)
    }

    /// Unlink a dealer.
    ///
    /// # Errors
    /// [`MaintenanceError::NotLinked`].
    pub fn unlink(&mut self, dealer_id: &DealerId) -> Result<(), MaintenanceError> {
        let before = self.dealers.len();
        self.dealers.retain(|d| d != dealer_id);
        if self.dealers.len() == before {
            Err(MaintenanceError::NotLinked {
                dealer_id: dealer_id.clone(),
            })
        } else {
            Ok(())
        }
    }
}
